//! Tests of the blocking rule family: one module per rule.
