//! Tests of the blocking rule family: one module per rule.

mod async200;
mod async210;
mod async211;
mod async212;
mod async220;
mod async221;
mod async222;
mod async230;
mod async231;
mod async232;
mod async240;
mod async250;
mod async251;
mod loop400;
mod loop403;
mod loop404;
