//! Terminal colors for every human view, off with `--no-color`, `NO_COLOR` or when stderr is not a terminal.

use std::io::IsTerminal;

use owo_colors::OwoColorize;

#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn detect(no_color: bool) -> Self {
        let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && !env_says_no && std::io::stderr().is_terminal() }
    }

    pub fn plain() -> Self {
        Style { color: false }
    }

    pub fn error(&self, s: &str) -> String {
        if self.color { s.red().bold().to_string() } else { s.to_owned() }
    }

    pub fn warning(&self, s: &str) -> String {
        if self.color { s.yellow().to_string() } else { s.to_owned() }
    }

    pub fn ok(&self, s: &str) -> String {
        if self.color { s.green().to_string() } else { s.to_owned() }
    }

    pub fn added(&self, s: &str) -> String {
        if self.color { s.green().to_string() } else { s.to_owned() }
    }

    pub fn removed(&self, s: &str) -> String {
        if self.color { s.red().to_string() } else { s.to_owned() }
    }

    pub fn dim(&self, s: &str) -> String {
        if self.color { s.dimmed().to_string() } else { s.to_owned() }
    }

    pub fn bold(&self, s: &str) -> String {
        if self.color { s.bold().to_string() } else { s.to_owned() }
    }
}
