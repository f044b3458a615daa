//! Tests of the library rule family: one module per rule.
