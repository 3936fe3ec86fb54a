//! Experiments (temporary).
use ch09_generalisation::run::Mnist;
use ch10_cnn::{Settings, train};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut s = Settings::default_run();
    let mut n = 50_000;
    let mut i = 1;
    while i + 1 < args.len() {
        let v = &args[i + 1];
        match args[i].as_str() {
            "--epochs" => s.epochs = v.parse().unwrap(),
            "--eta" => s.eta = v.parse().unwrap(),
            "--wd" => s.weight_decay = v.parse().unwrap(),
            "--batch" => s.batch_size = v.parse().unwrap(),
            "--n" => n = v.parse().unwrap(),
            "--shift" => s.augment.shift = v == "1",
            "--hidden" => s.arch.hidden = v.parse().unwrap(),
            _ => panic!("?"),
        }
        i += 2;
    }
    let mnist = Mnist::load().unwrap();
    let data = mnist.data(n);
    println!("{s:?}");
    let t = std::time::Instant::now();
    let (net, _) = train(&s, &data, &mut |r| println!("{r:?}"));
    let p = ch10_cnn::train::predict_all(&net, mnist.x_test.view());
    println!("test {:.2} total {:.1}s", 100.0 * ch08_mnist::accuracy(&p, &mnist.labels_test), t.elapsed().as_secs_f64());
}
