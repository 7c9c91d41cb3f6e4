"""The log check of tests/conftest.py: an undeclared warning fails a test, a declared one does not.

Each case runs a small test file through pytest in a process of its own (pytester; in-process its
warnings would reach this test's own check) and looks at what a person running the suite would
see: the outcome and the line that names the warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
from tests.conftest import _fail_on_unexpected_warnings  # the real fixture, not a copy
"""
INI = """
[pytest]
markers =
    expect_log(level, pattern, logger=None, optional=False): declared warnings
"""


REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY))
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


def run(suite: pytest.Pytester, body: str) -> pytest.RunResult:
    suite.makepyfile(test_demo="import logging, threading\nimport pytest\n\n" + body)
    return suite.runpytest_subprocess("-p", "no:randomly", "--strict-markers")


def test_an_undeclared_warning_fails_the_test_and_names_the_record(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "def test_it():\n"
        "    logging.getLogger('demo').info('only news')\n"
        "    logging.getLogger('demo').warning('disk %s is full', 'sda')\n",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unexpected log record: WARNING demo: disk sda is full*"])
    result.stdout.no_fnmatch_line("*only news*")


def test_info_and_debug_records_are_no_concern(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "def test_it():\n"
        "    logging.getLogger('demo').info('only news')\n"
        "    logging.getLogger('demo').debug('details')\n",
    )
    result.assert_outcomes(passed=1)


def test_a_declared_warning_passes_but_another_one_beside_it_does_not(
    suite: pytest.Pytester,
) -> None:
    result = run(
        suite,
        "@pytest.mark.expect_log('WARNING', r'disk \\w+ is full', logger='demo')\n"
        "def test_declared():\n"
        "    logging.getLogger('demo.io').warning('disk sda is full')\n"
        "\n"
        "@pytest.mark.expect_log('WARNING', r'disk \\w+ is full', logger='demo')\n"
        "def test_another_beside_it():\n"
        "    logging.getLogger('demo').warning('disk sda is full')\n"
        "    logging.getLogger('demo').error('disk sda is gone')\n"
        "\n"
        "@pytest.mark.expect_log('WARNING', r'disk \\w+ is full', logger='demo')\n"
        "def test_same_text_from_another_logger():\n"
        "    logging.getLogger('demo').warning('disk sda is full')\n"
        "    logging.getLogger('other').warning('disk sda is full')\n",
    )
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_another_beside_it*",
            "*unexpected log record: ERROR demo: disk sda is gone*",
            "*ERROR at teardown of test_same_text_from_another_logger*",
            "*unexpected log record: WARNING other: disk sda is full*",
        ]
    )


def test_a_declared_warning_that_never_came_fails_unless_optional(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "@pytest.mark.expect_log('WARNING', 'disk .* is full')\n"
        "def test_stale():\n"
        "    logging.getLogger('demo').info('all well')\n"
        "\n"
        "@pytest.mark.expect_log('WARNING', 'disk .* is full', optional=True)\n"
        "def test_optional():\n"
        "    pass\n",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_stale*", "*never came: WARNING /disk .* is full/*"]
    )


def test_a_warning_from_another_thread_counts_too(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "def test_it():\n"
        "    worker = threading.Thread(\n"
        "        target=lambda: logging.getLogger('demo').warning('from the pool'))\n"
        "    worker.start()\n"
        "    worker.join()\n",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unexpected log record: WARNING demo: from the pool*"])


def test_a_caplog_test_still_sees_its_declared_warning(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "@pytest.mark.expect_log('WARNING', 'keychain locked')\n"
        "def test_it(caplog):\n"
        "    with caplog.at_level(logging.DEBUG):\n"
        "        logging.getLogger('demo').debug('opening')\n"
        "        logging.getLogger('demo').warning('keychain locked')\n"
        "    assert 'opening' in caplog.text\n"
        "    assert [r.getMessage() for r in caplog.records] == ['opening', 'keychain locked']\n",
    )
    result.assert_outcomes(passed=1)


def test_a_level_that_does_not_exist_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = run(
        suite,
        "@pytest.mark.expect_log('WARN1NG', 'x')\ndef test_it():\n    pass\n",
    )
    result.stdout.fnmatch_lines(["*expect_log: unknown level 'WARN1NG'*"])
