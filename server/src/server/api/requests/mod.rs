pub mod code_action;
pub mod initialize;
pub mod shutdown;
