//! Cron triggers: each enabled cron job is enqueued when its schedule comes round (UTC). Its
//! input state is read when the run starts: the job's last successful final state (OpenFn's
//! cron cursor). Times missed while no server ran are not caught up.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::Runner;
use crate::project::TriggerSpec;
use crate::store::{new_id, now_ms, NewRun};
use crate::triggers::CronSchedule;

/// Enqueues cron jobs' runs on time, until the process ends (reads the project anew each
/// time, so a reloaded file's schedules apply).
pub async fn run_crons(runner: Arc<Runner>) {
    // next fire time per (job, expression)
    let mut next: HashMap<(String, String), i64> = HashMap::new();
    loop {
        let project = runner.project();
        let now = now_ms();
        let mut soonest = now + 60_000;
        let mut live = Vec::new();
        for job in project.file.jobs.iter().filter(|j| j.enabled) {
            let TriggerSpec::Cron(expr) = &job.trigger else {
                continue;
            };
            let Ok(schedule) = CronSchedule::parse(expr) else {
                continue;
            };
            let key = (job.name.clone(), expr.clone());
            live.push(key.clone());
            let due = *next
                .entry(key.clone())
                .or_insert_with(|| schedule.next_after(now).unwrap_or(i64::MAX));
            if due <= now {
                let run = NewRun {
                    id: new_id(),
                    job: job.name.clone(),
                    trigger: "cron".into(),
                    attempt: 1,
                    not_before: now,
                    ..NewRun::default()
                };
                // every node computes the same tick: the store lets one of them enqueue it
                match runner.store().enqueue_cron(due, &run).await {
                    Ok(true) => runner.wake(),
                    Ok(false) => {}
                    Err(e) => eprintln!("fnhost serve: cannot enqueue cron job {}: {e}", job.name),
                }
                let following = schedule.next_after(now).unwrap_or(i64::MAX);
                next.insert(key, following);
                soonest = soonest.min(following);
            } else {
                soonest = soonest.min(due);
            }
        }
        next.retain(|k, _| live.contains(k));
        let wait = (soonest - now_ms()).clamp(10, 60_000) as u64;
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}
