//! Zombienet tests live in `tests/`.
