//! Colour for the human formats: on only when stdout is a terminal and `NO_COLOR` is
//! unset (https://no-color.org), so pipes, CI logs and files get plain text.

use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// File paths and the help label.
    Bold,
    /// A finding whose code fails when it runs.
    Error,
    /// A finding whose code runs but misbehaves.
    Warning,
    /// A style finding: the code works.
    Information,
    /// Line numbers and the `|` gutter.
    Gutter,
    /// The `[*]` fix marker.
    Fixable,
}

impl Style {
    fn ansi(self) -> &'static str {
        match self {
            Style::Bold => "\x1b[1m",
            Style::Error => "\x1b[1;31m",
            Style::Warning => "\x1b[1;33m",
            Style::Information => "\x1b[1;32m",
            Style::Gutter => "\x1b[1;34m",
            Style::Fixable => "\x1b[1;36m",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    colour: bool,
}

impl Palette {
    pub const PLAIN: Palette = Palette { colour: false };

    /// Colour when stdout is a terminal, unless `NO_COLOR` is set to anything non-empty
    /// or `TERM` is `dumb`.
    pub fn for_stdout() -> Palette {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
        Palette {
            colour: std::io::stdout().is_terminal() && !no_color && !dumb,
        }
    }

    pub fn paint(self, style: Style, text: &str) -> String {
        if self.colour && !text.is_empty() {
            format!("{}{text}\x1b[0m", style.ansi())
        } else {
            text.to_string()
        }
    }
}
