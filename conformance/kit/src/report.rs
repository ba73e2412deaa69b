//! The outcome of a run: one line per named check, as a table and as JSON. A failure
//! says what was expected, what was seen, and which section of the guide fixes it.

use serde::Serialize;

/// Where the chain team's guide lives, relative to the repository root.
pub const GUIDE: &str = "adapters/README.md";

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The adapter met the check.
    Pass,
    /// It did not; `expected`, `seen` and `guide` say how and where to fix it.
    Fail,
    /// The check could not exercise what it names; `detail` says why. Never a pass.
    Skipped,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's stable name.
    pub name: &'static str,
    /// How it ended.
    pub status: Status,
    /// What was seen (for a pass), why it was skipped, or the failure in one line.
    pub detail: String,
    /// For a failure: what the check expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// For a failure: what it saw instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// For a failure: the guide section that fixes it (`adapters/README.md#...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<String>,
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
    /// Records a check; a failure that names no guide section gets the check's own.
    pub fn record(&mut self, name: &'static str, section: &'static str, outcome: Result<String, Outcome>) {
        let result = match outcome {
            Ok(detail) => CheckResult { name, status: Status::Pass, detail, expected: None, seen: None, guide: None },
            Err(Outcome::Skip(detail)) => CheckResult { name, status: Status::Skipped, detail, expected: None, seen: None, guide: None },
            Err(Outcome::Fail(f)) => {
                let guide = format!("{GUIDE}#{}", f.section.unwrap_or(section));
                let detail = format!("expected {}; saw {}; fix: {guide}", f.expected, f.seen);
                CheckResult { name, status: Status::Fail, detail, expected: Some(f.expected), seen: Some(f.seen), guide: Some(guide) }
            }
        };
        self.checks.push(result);
    }

    /// Number of checks with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// The table a person reads; a failure takes three lines (expected, seen, fix).
    pub fn table(&self) -> String {
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(5).max(5);
        let mut out = format!("{:<width$}  {:<7}  detail\n", "check", "result");
        for c in &self.checks {
            match (c.status, &c.expected, &c.seen, &c.guide) {
                (Status::Fail, Some(expected), Some(seen), Some(guide)) => {
                    out += &format!("{:<width$}  {:<7}  expected: {expected}\n", c.name, "FAIL");
                    out += &format!("{:<width$}  {:<7}  seen:     {seen}\n", "", "");
                    out += &format!("{:<width$}  {:<7}  fix:      {guide}\n", "", "");
                }
                (status, ..) => {
                    let word = if status == Status::Pass { "pass" } else { "skipped" };
                    out += &format!("{:<width$}  {:<7}  {}\n", c.name, word, c.detail);
                }
            }
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

/// A failed expectation.
#[derive(Debug)]
pub struct Failure {
    /// What the check expected.
    pub expected: String,
    /// What it saw.
    pub seen: String,
    /// The guide section that fixes it, when it is not the check's own.
    pub section: Option<&'static str>,
}

/// Why a check did not pass.
#[derive(Debug)]
pub enum Outcome {
    /// It failed.
    Fail(Failure),
    /// It could not run, or could not exercise what it names.
    Skip(String),
}

impl Outcome {
    /// The same outcome, a failure pointing at `section` of the guide.
    pub fn at(self, section: &'static str) -> Outcome {
        match self {
            Outcome::Fail(f) => Outcome::Fail(Failure { section: Some(section), ..f }),
            skipped => skipped,
        }
    }
}

/// A failure: `expected`, but `seen`.
pub fn fail<T>(expected: impl Into<String>, seen: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Fail(Failure { expected: expected.into(), seen: seen.into(), section: None }))
}

/// A failure that another guide section than the check's own fixes.
pub fn fail_at<T>(section: &'static str, expected: impl Into<String>, seen: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Fail(Failure { expected: expected.into(), seen: seen.into(), section: Some(section) }))
}

/// Shorthand for a skip.
pub fn skip<T>(detail: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Skip(detail.into()))
}
