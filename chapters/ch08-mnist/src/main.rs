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
            // clap explains at length; its first paragraph, on one line,
            // names what was wrong (the missing argument, the valid values).
            let text = e.to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = first.join(" ");
            let first = first.strip_prefix("error: ").unwrap_or(&first);
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
