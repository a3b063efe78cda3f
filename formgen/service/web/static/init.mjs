// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/govuk-frontend.min.js'

initAll()

// GOV.UK Frontend marks a radio that reveals a question with aria-expanded, which ARIA does not allow on a
// radio (axe-core: aria-allowed-attr). The reveal itself and aria-controls stay; only that attribute goes.
const radios = 'input[type="radio"][aria-expanded]'
const tidy = () => document.querySelectorAll(radios).forEach((radio) => radio.removeAttribute('aria-expanded'))
tidy()
new MutationObserver(tidy).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['aria-expanded'] })
