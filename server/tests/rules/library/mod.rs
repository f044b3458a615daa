//! Tests of the library rule family: one module per rule.

mod async106;
mod async109;
mod async115;
mod async116;
mod async118;
mod async123;
mod async125;
mod async126;
mod async127;
mod async300;
mod async400;
mod async401;
mod loop402;
mod loop500;
mod loop501;
mod loop502;
mod loop600;
