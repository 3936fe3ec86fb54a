//! scratch
use ch12_sequences::fast::*;
use ch12_sequences::gru::Gru;
use ch12_sequences::language::*;
use shared::rng::seeded;
fn main() {
    let h: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let threads: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let rng = &mut seeded(1);
        let m = Gru::<f32>::new(85, h, rng);
        let stream: Vec<usize> = (0..100000).map(|i| (i * 7919) % 85).collect();
        let w = draw_windows(&stream, 65, 32, rng);
        let mut ws = GruWorkspace::new(&m, 64, 32);
        let mut g = m.zeros_like();
        ws.loss_and_gradient(&m, w.view(), &mut g);
        let t = std::time::Instant::now();
        for _ in 0..20 {
            ws.loss_and_gradient(&m, w.view(), &mut g);
        }
        let fast = t.elapsed().as_secs_f64() / 20.0;
        let t = std::time::Instant::now();
        for _ in 0..5 {
            std::hint::black_box(m.loss_and_gradient(w.view()));
        }
        let lesson = t.elapsed().as_secs_f64() / 5.0;
        println!(
            "H={h} threads={threads} fast {:.2} ms lesson {:.2} ms",
            fast * 1e3,
            lesson * 1e3
        );
    });
}
