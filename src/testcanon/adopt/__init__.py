"""Adopt testcanon in an existing repository in one command (`canon init`)."""

from testcanon.adopt.apply import InitResult, run_init

__all__ = ["InitResult", "run_init"]
