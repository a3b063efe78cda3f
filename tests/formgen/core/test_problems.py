from formgen.core.problems import flatten_errors


def test_nested_errors_become_dotted_paths_with_list_indexes() -> None:
    messages = {
        "family_members": {1: {"date_of_birth": ["Bad date."]}},
        "child": {"name": ["Required."]},
        "_schema": ["Whole-form rule."],
    }
    assert flatten_errors(messages) == {
        "family_members.1.date_of_birth": ["Bad date."],
        "child.name": ["Required."],
        "_schema": ["Whole-form rule."],
    }


def test_schema_errors_inside_a_nested_object_belong_to_that_object() -> None:
    assert flatten_errors({"child": {"_schema": ["Give a date of birth."]}}) == {"child": ["Give a date of birth."]}
