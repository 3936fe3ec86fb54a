//! `cargo run --release -p ch09-generalisation`: the narrated run (every
//! experiment, the ablation, the figures, the model); `… -- train …`: one
//! run with the hyperparameters given.

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> std::process::ExitCode {
    let cli = match ch09_generalisation::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            let first = ch08_mnist::cli::one_line(&e);
            eprintln!("ch09-generalisation: error: {first} (try --help)");
            return std::process::ExitCode::from(2);
        }
    };
    let ran = ch08_mnist::cli::use_threads(cli.threads)
        .and_then(|()| ch09_generalisation::cli::run(cli));
    match ran {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ch09-generalisation: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
