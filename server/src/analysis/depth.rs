//! Stack depth: every recursive walk over a syntax tree goes through [`guarded`], so no
//! input can overflow a thread's stack.
//!
//! The parser accepts any nesting (it grows its own stack, except in one place that
//! [`with_parser_stack`] covers), and generated code has lines
//! such as `x = a + a + ... + a` with 100,000 terms, whose tree is 100,000 levels deep.
//! A walk that recurses once per level needs a few hundred bytes a level: megabytes for
//! such a line, more than the main thread's 8 MiB or a rayon worker's 2 MiB. Each
//! recursion point therefore checks the stack left (a compare against a thread-local
//! limit) and, near the end, continues on a fresh heap-allocated segment (the `stacker`
//! crate, as the parser does). Cost: a few instructions per node on the common path.
//!
//! Units deeper than [`MAX_ANALYSED_DEPTH`] are not handed to the rules at all
//! (`E998`): CPython itself refuses to compile code a few thousand levels deep, and
//! rules that look around each node would spend quadratic time on such a tree.

/// Stack a recursion point needs left before it runs on the current segment: enough for
/// the deepest non-recursive call chain between two recursion points (a rule hook with
/// its helpers, a tracing call, a panic being formatted).
const RED_ZONE: usize = 256 * 1024;

/// Size of each segment allocated when the stack runs low. Pages are committed only as
/// the walk touches them; one segment serves thousands of levels.
const SEGMENT: usize = 4 * 1024 * 1024;

/// The deepest unit (levels of statements, expressions and patterns nested in one
/// another) that the rules analyse. CPython 3.11 fails to compile `a+a+...+a` at about
/// 3,000 terms ("RecursionError: maximum recursion depth exceeded during compilation");
/// later versions at a few times that. Every walk is safe beyond this depth too: the
/// limit bounds time and memory, not correctness.
pub const MAX_ANALYSED_DEPTH: u32 = 20_000;

/// Runs `walk` (one level of a recursive walk) with at least [`RED_ZONE`] bytes of stack,
/// on a new segment if the current one is nearly used up.
#[inline(always)]
pub fn guarded<R>(walk: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, walk)
}

/// Stack one level of the parser's unguarded recursion may take (generous: a debug
/// build's frame of `set_expr_ctx` is about 100 bytes).
const PARSER_FRAME: usize = 512;

/// The most stack a parse is given: virtual memory, committed only as it is touched.
const MAX_PARSER_STACK: usize = 4 << 30;

/// Runs `parse` (ruff_python_parser on `source`, and whatever is done with its tree, the
/// drop included) with enough stack for any nesting in `source`.
///
/// The parser grows its stack at its recursion points, but not in `set_expr_ctx`, which
/// recurses once per level of nested tuples, lists, starred and unary expressions when
/// they become a target or a subscripted value (`(*(*(...),),)[0]`, `[[...]] = x`): on a
/// thread whose stack is nearly used up, or on one of its own 1 MiB segments, thousands
/// of levels overflow it. No level of that recursion is possible without a bracket, a
/// star, a unary operator or `not` in the source, so their count bounds its depth.
pub fn with_parser_stack<R>(source: &str, parse: impl FnOnce() -> R) -> R {
    let levels = source
        .bytes()
        .filter(|b| matches!(b, b'(' | b'[' | b'{' | b'*' | b'-' | b'+' | b'~' | b'n'))
        .count();
    let needed = levels
        .saturating_mul(PARSER_FRAME)
        .saturating_add(RED_ZONE)
        .min(MAX_PARSER_STACK);
    stacker::maybe_grow(needed, needed, parse)
}

/// The guarded visits of the two recursion points most visitors leave to the default
/// walk: a pattern inside a pattern (`case [[[x]]]`) and an f-string format spec inside a
/// format spec (`f"{x:{y:{z}}}"`) nest without passing through `visit_expr` or
/// `visit_stmt`. Every `Visitor` that walks expressions or statements invokes this in
/// its impl, and guards its own `visit_expr`/`visit_stmt` with [`guarded`].
macro_rules! guarded_nested_visits {
    ($a:lifetime) => {
        fn visit_pattern(&mut self, pattern: &$a::ruff_python_ast::Pattern) {
            $crate::analysis::depth::guarded(|| {
                ::ruff_python_ast::visitor::walk_pattern(self, pattern)
            });
        }

        fn visit_interpolated_string_element(
            &mut self,
            element: &$a::ruff_python_ast::InterpolatedStringElement,
        ) {
            $crate::analysis::depth::guarded(|| {
                ::ruff_python_ast::visitor::walk_interpolated_string_element(self, element)
            });
        }
    };
}
pub(crate) use guarded_nested_visits;

#[cfg(test)]
mod tests {
    use super::*;

    /// Recursion that needs 20 MiB of stack (20,000 levels of 1 KiB frames), on a thread
    /// with 256 KiB.
    /// `(*(*(...*a,),),)[0]`: the parser recurses once per level to mark the subscripted
    /// value as loaded, outside its own stack checks.
    #[test]
    fn a_deeply_starred_subscripted_value_parses_on_a_small_thread_stack() {
        let code = format!("{}a{}[0]\n", "(*".repeat(20_000), ",)".repeat(20_000));
        let errors = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                with_parser_stack(&code, || {
                    ruff_python_parser::parse_unchecked(
                        &code,
                        ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module),
                    )
                    .errors()
                    .len()
                })
            })
            .unwrap()
            .join()
            .expect("parsing finishes without overflowing the stack");
        assert_eq!(errors, 0);
    }

    #[test]
    fn guarded_recursion_outgrows_a_small_thread_stack() {
        fn descend(levels: u32) -> u64 {
            guarded(|| {
                let frame = std::hint::black_box([levels as u8; 1024]);
                if levels == 0 {
                    0
                } else {
                    u64::from(frame[levels as usize % frame.len()]) + descend(levels - 1) + 1
                }
            })
        }
        let total = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| descend(20_000))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert!(total >= 20_000);
    }
}
