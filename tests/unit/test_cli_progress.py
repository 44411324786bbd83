"""What `edukpi materialize` prints of Dagster's messages (edukpi/cli.py)."""
from __future__ import annotations

from edukpi.cli import _without_repeats


def test_a_skip_message_names_each_step_once() -> None:
    message = ("Dependencies for step published__warehouse were not executed: ['edukpi_dbt', 'edukpi_dbt', 'raw__ga4', "
               "'edukpi_dbt']. Not executing.")
    assert _without_repeats(message) == ("Dependencies for step published__warehouse were not executed: "
                                         "['edukpi_dbt', 'raw__ga4']. Not executing.")
    assert _without_repeats("no list here ['a'] and ['b', 'c']") == "no list here ['a'] and ['b', 'c']"
