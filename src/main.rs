use std::process::ExitCode;

use clap::Parser;
use matbakh_infra::cli::{Cli, Style, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let no_color = cli.no_color;
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}: {err:#}", Style::detect(no_color).error("error"));
            ExitCode::FAILURE
        }
    }
}
