//! The execution backend: the embedded Python host and the supervisor that talks to it.
