//! `cargo run --release -p ch08-mnist`: fetch MNIST, train, evaluate, save;
//! `… -- predict digit.png`; `… -- figures`.

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> std::process::ExitCode {
    let cli = match ch08_mnist::cli::Cli::try_parse() {
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
            eprintln!("ch08-mnist: error: {first} (try --help)");
            return std::process::ExitCode::from(2);
        }
    };
    let ran = ch08_mnist::cli::use_threads(cli.threads)
        .and_then(|()| ch08_mnist::cli::run(cli));
    match ran {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ch08-mnist: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
