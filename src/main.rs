use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use matbakh_infra::cli::{Cli, Style, run};

fn main() -> ExitCode {
    // A usage error exits 1, never clap's 2: for plan and drift, 2 means "changes" and
    // "drift", and CI scripts act on it.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let asked = matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
            let _ = err.print();
            return if asked { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    let no_color = cli.no_color;
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}: {err:#}", Style::detect(no_color).error("error"));
            ExitCode::FAILURE
        }
    }
}
