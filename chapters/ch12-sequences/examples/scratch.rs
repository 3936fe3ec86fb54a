use ch12_sequences::bigram::NeuralBigram;
use ch12_sequences::count::*;
use ch12_sequences::gru::Gru;
use ch12_sequences::language::*;
use ch12_sequences::mlp::Mlp;
use ch12_sequences::rnn::Rnn;
use ch12_sequences::train::*;
use shared::rng::seeded;

fn main() {
    let which = std::env::args().nth(1).unwrap();
    let kind = std::env::args().nth(2).unwrap();
    let hidden: usize = std::env::args().nth(3).unwrap().parse().unwrap();
    let steps: usize = std::env::args().nth(4).unwrap().parse().unwrap();
    let window: usize = std::env::args().nth(5).unwrap().parse().unwrap();
    let batch: usize = std::env::args().nth(6).unwrap().parse().unwrap();
    let eta: f64 = std::env::args().nth(7).unwrap().parse().unwrap();
    let text = if which == "names" {
        let mut names: Vec<String> = ["/tmp/d12/n/f.txt", "/tmp/d12/n/m.txt"]
            .iter()
            .flat_map(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .map(|l| l.trim().to_lowercase())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        names.sort();
        names.dedup();
        use rand::seq::SliceRandom;
        names.shuffle(&mut seeded(12));
        let n = names.len();
        let tr = format!(".{}.", names[..n * 8 / 10].join("."));
        let va = format!(".{}.", names[n * 8 / 10..n * 9 / 10].join("."));
        (tr, va)
    } else {
        let t = std::fs::read_to_string("/tmp/d12/shakespeare.txt").unwrap();
        let n = t.len();
        (
            t[..n * 9 / 10].to_string(),
            t[n * 9 / 10..n * 95 / 100].to_string(),
        )
    };
    let mut syms: Vec<char> = text.0.chars().chain(text.1.chars()).collect();
    syms.sort();
    syms.dedup();
    let enc = |s: &str| {
        s.chars()
            .map(|c| syms.binary_search(&c).unwrap())
            .collect::<Vec<usize>>()
    };
    let (tr, va) = (enc(&text.0), enc(&text.1));
    let v = syms.len();
    println!("vocab {v} train {} val {}", tr.len(), va.len());
    let n = count_bigrams(&tr, v);
    for a in [0.01, 0.1, 1.0] {
        let p = bigram_probabilities(n.view(), a);
        println!("bigram α={a} val {:.4}", bigram_nll(p.view(), &va));
    }
    let recipe = Recipe {
        window,
        batch,
        steps,
        rounds: 5,
        eta,
        clip: Some(1.0),
        seed: 1,
    };
    let rng = &mut seeded(7);
    let t = std::time::Instant::now();
    macro_rules! go {
        ($m:expr, $e:expr) => {{
            let m = $m;
            println!("params {}", parameter_count(&m));
            let (m, _) =
                train::<f32, _>(m, &recipe, (&tr, &va), &mut $e, |r| {
                    println!("{r}")
                });
            let s = ch12_sequences::sample::sample(
                &m,
                &[0],
                200,
                1.0,
                if which == "names" { Some(0) } else { None },
                &mut seeded(3),
            );
            println!("{:?}", s.iter().map(|&t| syms[t]).collect::<String>());
        }};
    }
    match kind.as_str() {
        "nb" => go!(NeuralBigram::<f32>::new(v), Lesson::<f32>::default()),
        "mlp" => go!(
            Mlp::<f32>::new(v, 3, 10, hidden, rng),
            Lesson::<f32>::default()
        ),
        "rnn" => go!(Rnn::<f32>::new(v, hidden, rng), Lesson::<f32>::default()),
        "frnn" => {
            go!(
                Rnn::<f32>::new(v, hidden, rng),
                ch12_sequences::fast::Fast::<
                    ch12_sequences::fast::RnnWorkspace<f32>,
                >::default()
            )
        }
        "fgru" => {
            go!(
                Gru::<f32>::new(v, hidden, rng),
                ch12_sequences::fast::Fast::<
                    ch12_sequences::fast::GruWorkspace<f32>,
                >::default()
            )
        }
        _ => go!(Gru::<f32>::new(v, hidden, rng), Lesson::<f32>::default()),
    }
    println!("{:.1} s", t.elapsed().as_secs_f64());
}
