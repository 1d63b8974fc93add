//! `fnhost serve --example DIR`: a runnable project — a KoboToolbox inbox, a message filter
//! and a language-common job — so the first command shows the whole path from post to run.

use std::path::Path;

/// The example project file.
const PROJECT: &str = r#"# fnhost project: an inbox for KoboToolbox, a filter, a job.
# Serve it:   fnhost serve --project project.yaml
# Post to it: fnhost inbox post http://127.0.0.1:4000/inbox/kobo-3f9c2e7a1b kobo-submission.json
name: example
inboxes:
  - name: kobo
    # the secret part of the inbox URL: give it to KoboToolbox (Project Settings ->
    # REST Services -> JSON Post, URL http://HOST:4000/inbox/kobo-3f9c2e7a1b)
    key: kobo-3f9c2e7a1b
    # a resent submission is stored once
    idempotency_path: body._uuid
jobs:
  - name: count-household
    adaptor: common
    path: jobs/count-household.js
    trigger:
      message:
        # Kobo's REST service posts {"form": "household_survey", "body": %SUBMISSION%}
        inclusion: { form: household_survey }
        exclusion: { body: { "group1/consent": "no" } }
    retries: { max: 2, backoff_seconds: 5 }
"#;

/// The example job.
const JOB: &str = r#"// Counts the people of a household survey from KoboToolbox.
fn(state => {
  const submission = state.data.body;
  const members = Number(submission['group1/household_size'] || 0);
  console.log(`submission ${submission._uuid}: ${members} people`);
  return { ...state, data: { uuid: submission._uuid, members } };
});
"#;

/// A submission as KoboToolbox posts it (flat keys with group prefixes), wrapped by the
/// REST service's custom body.
const SUBMISSION: &str = r#"{
  "form": "household_survey",
  "body": {
    "_id": 1183920,
    "_uuid": "5c1d2b3e-8f7a-4c2d-9e1f-0a2b3c4d5e6f",
    "_submission_time": "2026-11-30T09:41:12",
    "formhub/uuid": "a1b2c3d4e5f6",
    "group1/consent": "yes",
    "group1/name": "Amina",
    "group1/household_size": "5",
    "meta/instanceID": "uuid:5c1d2b3e-8f7a-4c2d-9e1f-0a2b3c4d5e6f"
  }
}
"#;

/// Writes the example project into `dir` (created if needed); refuses to overwrite files.
pub fn write_example(dir: &Path) -> Result<(), String> {
    let files = [
        ("project.yaml", PROJECT),
        ("jobs/count-household.js", JOB),
        ("kobo-submission.json", SUBMISSION),
    ];
    for (name, _) in &files {
        let path = dir.join(name);
        if path.exists() {
            return Err(format!(
                "{} exists already: not overwritten",
                path.display()
            ));
        }
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_is_a_valid_project() {
        let dir = std::env::temp_dir().join(format!("fnhost-example-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        super::write_example(&dir).unwrap();
        let p = crate::project::Project::load(&dir.join("project.yaml")).unwrap();
        assert_eq!(p.file.jobs.len(), 1);
        assert!(super::write_example(&dir).is_err(), "never overwrites");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
