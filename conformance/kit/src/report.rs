//! The outcome of a run: one line per named check, as a table and as JSON.

use serde::Serialize;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The adapter met the check.
    Pass,
    /// It did not; `detail` says how.
    Fail,
    /// The check could not run; `detail` says why. Never counted as a pass.
    Skipped,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's stable name.
    pub name: &'static str,
    /// How it ended.
    pub status: Status,
    /// What was seen (for a pass) or what went wrong.
    pub detail: String,
}

/// A whole run.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The adapter file.
    pub adapter: String,
    /// The adapter's description, if it loaded.
    pub family: Option<String>,
    /// Every check, in the order run.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Records a check.
    pub fn record(&mut self, name: &'static str, outcome: Result<String, Outcome>) {
        let (status, detail) = match outcome {
            Ok(detail) => (Status::Pass, detail),
            Err(Outcome::Fail(detail)) => (Status::Fail, detail),
            Err(Outcome::Skip(detail)) => (Status::Skipped, detail),
        };
        self.checks.push(CheckResult { name, status, detail });
    }

    /// Number of checks with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// The table a person reads.
    pub fn table(&self) -> String {
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(5).max(5);
        let mut out = format!("{:<width$}  {:<7}  detail\n", "check", "result");
        for c in &self.checks {
            let word = match c.status {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::Skipped => "skipped",
            };
            out += &format!("{:<width$}  {:<7}  {}\n", c.name, word, c.detail);
        }
        out += &format!(
            "\n{} passed, {} failed, {} skipped\n",
            self.count(Status::Pass),
            self.count(Status::Fail),
            self.count(Status::Skipped)
        );
        out
    }
}

/// Why a check did not pass.
#[derive(Debug)]
pub enum Outcome {
    /// It failed.
    Fail(String),
    /// It could not run.
    Skip(String),
}

/// Shorthand for a failure.
pub fn fail<T>(detail: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Fail(detail.into()))
}

/// Shorthand for a skip.
pub fn skip<T>(detail: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Skip(detail.into()))
}
