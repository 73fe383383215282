//! A read-progress observer that records what plan and drift tell it, in order.

use std::sync::Mutex;

use matbakh_infra::live::{ReadProgress, ReadStep};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Told {
    Start(ReadStep, usize),
    Advance(ReadStep, usize),
    Finish,
}

#[derive(Default)]
pub struct ReadRecorder {
    pub told: Mutex<Vec<Told>>,
}

impl ReadProgress for ReadRecorder {
    fn start(&self, step: ReadStep, total: usize) {
        self.told.lock().unwrap().push(Told::Start(step, total));
    }

    fn advance(&self, step: ReadStep, count: usize) {
        self.told.lock().unwrap().push(Told::Advance(step, count));
    }

    fn finish(&self) {
        self.told.lock().unwrap().push(Told::Finish);
    }
}

impl ReadRecorder {
    /// The total a step was started with and how many of it were reported done.
    pub fn counted(&self, step: ReadStep) -> Option<(usize, usize)> {
        let told = self.told.lock().unwrap();
        let total = told.iter().find_map(|t| match t {
            Told::Start(s, total) if *s == step => Some(*total),
            _ => None,
        })?;
        let done = told
            .iter()
            .map(|t| match t {
                Told::Advance(s, n) if *s == step => *n,
                _ => 0,
            })
            .sum();
        Some((done, total))
    }

    /// Finished exactly once, after everything else.
    pub fn finished_last(&self) -> bool {
        let told = self.told.lock().unwrap();
        told.last() == Some(&Told::Finish) && told.iter().filter(|t| **t == Told::Finish).count() == 1
    }
}
