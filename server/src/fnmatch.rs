//! Shell-style patterns as Python's `fnmatch.fnmatch` reads them on POSIX, for the
//! options that flake8-async matches with it (`blocking-calls`,
//! `no-checkpoint-warning-decorators`, `exception-suppress-context-managers`) and for
//! the kernel's `history_request` searches (IPython's glob search): `*` is
//! any run of characters (dots included, so `*session.get` matches
//! `self.session.get`), `?` one character, `[seq]` / `[!seq]` one character in or not in
//! the set (ranges `a-z` allowed); a `[` without its `]` is itself. Matching is
//! case-sensitive and covers the whole name.

/// Whether `name` matches `pattern` as a whole.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let pattern = parse(pattern);
    let name: Vec<char> = name.chars().collect();
    matches(&pattern, &name)
}

#[derive(Debug)]
enum Token {
    Char(char),
    Any,
    Star,
    Set {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

fn parse(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                // Consecutive stars are one.
                if !matches!(tokens.last(), Some(Token::Star)) {
                    tokens.push(Token::Star);
                }
                i += 1;
            }
            '?' => {
                tokens.push(Token::Any);
                i += 1;
            }
            '[' => match parse_set(&chars, i + 1) {
                Some((token, next)) => {
                    tokens.push(token);
                    i = next;
                }
                None => {
                    tokens.push(Token::Char('['));
                    i += 1;
                }
            },
            c => {
                tokens.push(Token::Char(c));
                i += 1;
            }
        }
    }
    tokens
}

/// The set starting after a `[` at `start`, and the index after its `]`. As in
/// `fnmatch.translate`, a `!` first negates and a `]` first (after the `!`) is a member.
fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = chars.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let first = i;
    let mut items = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && i > first {
            return Some((Token::Set { negated, items }, i + 1));
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|end| *end != ']') {
            let end = chars[i + 2];
            // A reversed range (`z-a`) matches nothing, as in Python.
            if c <= end {
                items.push((c, end));
            }
            i += 3;
        } else {
            items.push((c, c));
            i += 1;
        }
    }
    None
}

fn matches(pattern: &[Token], name: &[char]) -> bool {
    // Backtracking over the last star only: linear in practice, never exponential.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let single = match pattern.get(p) {
            Some(Token::Char(c)) => *c == name[n],
            Some(Token::Any) => true,
            Some(Token::Set { negated, items }) => {
                items
                    .iter()
                    .any(|(low, high)| (*low..=*high).contains(&name[n]))
                    != *negated
            }
            Some(Token::Star) => {
                star = Some((p, n));
                p += 1;
                continue;
            }
            None => false,
        };
        if single {
            p += 1;
            n += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|t| matches!(t, Token::Star))
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn stars_cross_dots() {
        assert!(fnmatch("*session.get", "self.session.get"));
        assert!(fnmatch("*session.get", "session.get"));
        assert!(fnmatch("*session.get", "my_session.get"));
        assert!(!fnmatch("*session.get", "session.gets"));
        assert!(fnmatch("my*.fetch", "mylib.fetch"));
        assert!(fnmatch("my*.fetch", "my.lib.fetch"));
        assert!(!fnmatch("my*.fetch", "lib.fetch"));
        assert!(fnmatch("mypackage.*", "mypackage.deco.x"));
        assert!(!fnmatch("x.*", "y.z"));
        assert!(fnmatch("**", ""));
    }

    #[test]
    fn whole_names_only() {
        assert!(fnmatch("app.route", "app.route"));
        assert!(!fnmatch("app.route", "app.router"));
        assert!(!fnmatch("route", "app.route"));
        assert!(!fnmatch("App.route", "app.route"));
    }

    #[test]
    fn question_marks_and_sets() {
        assert!(fnmatch("a?c", "abc"));
        assert!(!fnmatch("a?c", "ac"));
        assert!(fnmatch("lib[12].get", "lib1.get"));
        assert!(!fnmatch("lib[12].get", "lib3.get"));
        assert!(fnmatch("lib[!12].get", "lib3.get"));
        assert!(fnmatch("v[a-c]", "vb"));
        assert!(!fnmatch("v[a-c]", "vd"));
        assert!(fnmatch("[]]", "]"));
        assert!(fnmatch("[!]]", "a"));
        // An unclosed `[` is a literal character.
        assert!(fnmatch("a[b", "a[b"));
    }
}
