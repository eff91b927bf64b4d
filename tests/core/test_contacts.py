"""The one contact-column detection: the audience files and the playbook's channels read the
same columns, from the stored roles first, only columns that hold values of a fitting type,
and never a place's trait (city_type) as the place."""

from __future__ import annotations

import pytest
from project_files import import_csv

from segtui.core import audience
from segtui.core.contacts import ContactColumns, contact_columns, stored_roles
from segtui.core.playbook import suggest
from segtui.core.playbook_facts import reachable_channels
from segtui.core.project import Project
from segtui.core.run_data import RunData, latest_run
from segtui.core.runner import run_segmentation

# "kontakt" holds the emails (found by content at import); "email" is a yes/no flag; nobody
# has a mobile number; "street" is the street address; city_type says urban or rural.
CUSTOMERS = """\
customer_id,first_name,kontakt,email,mobile,street,city_type,town
K1,Ada,ada@example.com,yes,,1 High St,urban,Leeds
K2,Bo,bo@example.com,no,,2 Low Rd,rural,York
K3,,,no,,,suburban,
"""
LEEDS = {"name": "Leeds", "rule": {"field": "town", "op": "is", "value": "Leeds"}}


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunData, dict[str, str]]:
    folder = tmp_path_factory.mktemp("contacts")
    with Project.open(folder / "people.db") as project:
        import_csv(project, folder, "customers", CUSTOMERS)
        definition = {"mode": "exclusive", "else": "Everyone else", "segments": [LEEDS]}
        project.create_segmentation("Towns", "rules", definition)
        run_segmentation(project, "Towns")
        data = latest_run(project, "Towns")
        return data, stored_roles(project, data)


def test_the_stored_roles_name_the_contact_columns(people: tuple[RunData, dict]) -> None:
    data, roles = people
    assert roles["email"] == "kontakt" and roles["city"] == "town" and "address" not in roles
    assert contact_columns(data, roles) == ContactColumns(
        email="kontakt", first_name="first_name", city="town", address="street"
    )


def test_without_roles_a_flag_or_an_empty_column_is_no_contact_data(
    people: tuple[RunData, dict],
) -> None:
    data, roles = people
    assert roles["phone"] == "mobile"  # the role alone does not make it reachable
    columns = contact_columns(data)
    assert columns.email is None  # "email" holds yes/no, not addresses
    assert columns.phone is None  # "mobile" is empty
    assert contact_columns(data, roles).phone is None


def test_a_place_trait_is_never_the_place(people: tuple[RunData, dict]) -> None:
    data, roles = people
    # A project imported before city_type lost the city role: the town is found instead.
    old = {**roles, "city": "city_type"}
    assert contact_columns(data, old).city == "town"
    assert contact_columns(data, {"region": "city_type"}).region is None


def test_the_playbook_reaches_what_the_audience_files_use(people: tuple[RunData, dict]) -> None:
    data, roles = people
    columns = contact_columns(data, roles)
    assert reachable_channels(data, roles) == {
        "email": columns.email,
        "direct mail": "street",
        "ad": columns.email,
        "social": "",
    }
    # No roles, no email: the draft cannot be an email, and says why.
    assert reachable_channels(data) == {"direct mail": "street", "social": ""}
    assert suggest(data, "Leeds").channel != "email"
    assert suggest(data, "Leeds", roles=roles).channel == "email"


def test_the_audience_module_hands_out_the_same_detection() -> None:
    assert audience.contact_columns is contact_columns
    assert audience.stored_roles is stored_roles
    assert audience.ContactColumns is ContactColumns
