//! Whether `range(...)` of integer literals is empty, for the loop analyses that ask
//! whether a `for` body surely runs (ASYNC103/104's re-raise walk, ASYNC91x's
//! checkpoint walk). Literals are Python integers of any size: `range(2**64)` is
//! written `range(18446744073709551616)` in real code (bounds, sentinels), and such a
//! range is as non-empty as `range(1)`.

use std::cmp::Ordering;

use ruff_python_ast::{self as ast, Expr};

/// `Some(true)` when the call is `range(...)` of one to three integer literals (signs
/// and `~` allowed) that yields at least one value, `Some(false)` when it yields none or
/// is invalid (a zero step), `None` when it is not such a call.
pub(crate) fn literal_range_is_non_empty(call: &ast::ExprCall) -> Option<bool> {
    let Expr::Name(name) = call.func.as_ref() else {
        return None;
    };
    if name.id.as_str() != "range" || !call.arguments.keywords.is_empty() {
        return None;
    }
    let values: Vec<BigInt> = call
        .arguments
        .args
        .iter()
        .map(integer_literal)
        .collect::<Option<_>>()?;
    let zero = BigInt::default();
    Some(match values.as_slice() {
        [stop] => *stop > zero,
        [start, stop] => start < stop,
        [start, stop, step] => match step.cmp(&zero) {
            Ordering::Greater => start < stop,
            Ordering::Less => start > stop,
            Ordering::Equal => false,
        },
        _ => return None,
    })
}

/// The value of an integer literal, possibly under one unary `-`, `+` or `~`. As in
/// flake8-async (`ast.literal_eval`, libcst's `Integer`), `--3` is no literal.
fn integer_literal(expr: &Expr) -> Option<BigInt> {
    let literal = |expr: &Expr| match expr {
        Expr::NumberLiteral(ast::ExprNumberLiteral {
            value: ast::Number::Int(int),
            ..
        }) => BigInt::from_int(int),
        _ => None,
    };
    match expr {
        Expr::UnaryOp(unary) => {
            let value = literal(&unary.operand)?;
            match unary.op {
                ast::UnaryOp::USub => Some(value.negated()),
                ast::UnaryOp::UAdd => Some(value),
                ast::UnaryOp::Invert => Some(value.inverted()),
                ast::UnaryOp::Not => None,
            }
        }
        other => literal(other),
    }
}

/// A signed integer of any size: only what comparing `range` bounds needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct BigInt {
    negative: bool,
    /// Little-endian base-2^32 digits without trailing zeros; empty for zero (which is
    /// never negative).
    magnitude: Vec<u32>,
}

impl BigInt {
    fn from_int(int: &ast::Int) -> Option<BigInt> {
        if let Some(small) = int.as_u64() {
            return Some(BigInt::from_magnitude(vec![
                small as u32,
                (small >> 32) as u32,
            ]));
        }
        // A literal beyond 64 bits keeps its source text: `0x_FFFF...`, `1_000...`.
        let text = int.to_string().replace('_', "");
        let lower = text.to_ascii_lowercase();
        let (digits, radix) = match lower.get(..2) {
            Some("0x") => (&lower[2..], 16),
            Some("0o") => (&lower[2..], 8),
            Some("0b") => (&lower[2..], 2),
            _ => (lower.as_str(), 10),
        };
        if digits.is_empty() {
            return None;
        }
        let mut magnitude: Vec<u32> = Vec::new();
        for c in digits.chars() {
            let digit = c.to_digit(radix)?;
            // magnitude = magnitude * radix + digit
            let mut carry = u64::from(digit);
            for limb in magnitude.iter_mut() {
                let value = u64::from(*limb) * u64::from(radix) + carry;
                *limb = value as u32;
                carry = value >> 32;
            }
            if carry != 0 {
                magnitude.push(carry as u32);
            }
        }
        Some(BigInt::from_magnitude(magnitude))
    }

    fn from_magnitude(mut magnitude: Vec<u32>) -> BigInt {
        while magnitude.last() == Some(&0) {
            magnitude.pop();
        }
        BigInt {
            negative: false,
            magnitude,
        }
    }

    fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    fn negated(mut self) -> BigInt {
        self.negative = !self.negative && !self.is_zero();
        self
    }

    /// `~x` of a literal (never negative), which is `-(x + 1)`.
    fn inverted(self) -> BigInt {
        BigInt {
            negative: true,
            magnitude: add_one(self.magnitude),
        }
    }
}

fn add_one(mut magnitude: Vec<u32>) -> Vec<u32> {
    for limb in magnitude.iter_mut() {
        let (value, overflow) = limb.overflowing_add(1);
        *limb = value;
        if !overflow {
            return magnitude;
        }
    }
    magnitude.push(1);
    magnitude
}

fn cmp_magnitude(a: &[u32], b: &[u32]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

impl Ord for BigInt {
    fn cmp(&self, other: &BigInt) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitude(&self.magnitude, &other.magnitude),
            (true, true) => cmp_magnitude(&other.magnitude, &self.magnitude),
        }
    }
}

impl PartialOrd for BigInt {
    fn partial_cmp(&self, other: &BigInt) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(source: &str) -> Option<bool> {
        let parsed = ruff_python_parser::parse_expression(source).expect("parses");
        let Expr::Call(call) = parsed.expr() else {
            panic!("not a call: {source}");
        };
        literal_range_is_non_empty(call)
    }

    #[test]
    fn small_ranges_follow_python() {
        assert_eq!(range("range(1)"), Some(true));
        assert_eq!(range("range(0)"), Some(false));
        assert_eq!(range("range(-1)"), Some(false));
        assert_eq!(range("range(3, 1)"), Some(false));
        assert_eq!(range("range(3, 1, -1)"), Some(true));
        assert_eq!(range("range(1, 3, -1)"), Some(false));
        assert_eq!(range("range(1, 3, 0)"), Some(false));
        assert_eq!(range("range(~0, 0)"), Some(true));
        assert_eq!(range("range(--3)"), None);
        assert_eq!(range("range(+2)"), Some(true));
        assert_eq!(range("range(n)"), None);
        assert_eq!(range("range(1, 2, 3, 4)"), None);
        assert_eq!(range("len(1)"), None);
    }

    #[test]
    fn literals_beyond_64_bits_compare_by_value() {
        assert_eq!(range("range(18446744073709551616)"), Some(true));
        assert_eq!(range("range(-18446744073709551616)"), Some(false));
        assert_eq!(
            range("range(0x1_0000_0000_0000_0000_0000, 0x1_0000_0000_0000_0000_0001)"),
            Some(true)
        );
        assert_eq!(
            range("range(0x1_0000_0000_0000_0000_0001, 0x1_0000_0000_0000_0000_0000)"),
            Some(false)
        );
        assert_eq!(
            range("range(-99999999999999999999999, -99999999999999999999998)"),
            Some(true)
        );
        assert_eq!(
            range("range(-99999999999999999999998, -99999999999999999999999)"),
            Some(false)
        );
        assert_eq!(range(&format!("range(0b1{})", "0".repeat(70))), Some(true));
        assert_eq!(
            range("range(~18446744073709551616, -18446744073709551616)"),
            Some(true)
        );
        assert_eq!(
            range("range(~18446744073709551615, -18446744073709551616)"),
            Some(false)
        );
        assert_eq!(range("range(0o7777777777777777777777777)"), Some(true));
    }
}
