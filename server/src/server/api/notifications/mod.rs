pub mod cancel_execution;
pub mod did_change;
pub mod did_change_configuration;
pub mod did_close;
pub mod did_open;
pub mod notebook_did_change;
pub mod notebook_did_close;
pub mod notebook_did_open;
