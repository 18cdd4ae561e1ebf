//! (plots tests: being written)
