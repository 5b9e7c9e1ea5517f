//! The demo's output: numbered steps, each with what was sent, what came back and what was
//! checked, so a reader can follow Flow A on the terminal.

// Printing the walk is what the demo is for.
#![allow(clippy::print_stdout)]

use serde_json::Value;

#[derive(Default)]
pub struct Report {
    step: usize,
    title: String,
}

impl Report {
    pub fn title(&self, text: &str) {
        println!("{text}");
    }

    pub fn step(&mut self, title: &str) {
        self.step += 1;
        self.title = title.to_owned();
        println!("\n[{}] {title}", self.step);
    }

    /// Where the demo is, for the error that stops it.
    pub fn position(&self) -> String {
        format!("step [{}] {}", self.step, self.title)
    }

    pub fn line(&self, text: impl AsRef<str>) {
        println!("    {}", text.as_ref());
    }

    /// A check that held.
    pub fn held(&self, text: impl AsRef<str>) {
        println!("    ✓ {}", text.as_ref());
    }

    /// A JSON value, pretty and indented under the step.
    pub fn json(&self, label: &str, value: &Value) {
        println!("    {label}");
        let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
        for line in pretty.lines() {
            println!("      {line}");
        }
    }
}

/// A JSON value as a reader wants it: strings without their quotes.
pub fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// A long opaque string, shortened for the terminal.
pub fn abbreviate(s: &str, keep: usize) -> String {
    if s.chars().count() <= keep {
        return s.to_owned();
    }
    let head: String = s.chars().take(keep).collect();
    format!("{head}… ({} chars)", s.chars().count())
}
