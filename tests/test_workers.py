"""The worker pool: results in input order, and a worker that dies fails only its own input."""

import os

from ingest.workers import ordered_map


def square_or_die(n: int) -> int:
    if n == 13:
        os._exit(1)  # what a C library crashing on a hostile file looks like from outside
    return n * n


def test_results_come_in_input_order():
    assert list(ordered_map(square_or_die, range(12), 2, lambda n: None)) == [
        (n, n * n) for n in range(12)
    ]


def test_a_worker_that_dies_fails_only_its_input_and_the_rest_go_on():
    results = dict(ordered_map(square_or_die, range(30), 2, lambda n: "crashed"))
    assert results[13] == "crashed"
    assert {n: r for n, r in results.items() if n != 13} == {n: n * n for n in range(30) if n != 13}


def test_no_input_starts_no_workers():
    assert list(ordered_map(square_or_die, [], 2, lambda n: None)) == []
