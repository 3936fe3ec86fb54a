//! The data every training chapter uses: MNIST (or Fashion-MNIST) split
//! once, before anything is trained, into 50,000 images to learn from,
//! 10,000 to choose with (validation) and the 10,000 test images, each
//! set a matrix with one column per image.
//!
//! Leaves out fetching and verifying the files (`shared::data`) and the
//! conversion to matrices (`images_to_matrix`, the chapter's listing).

use ndarray::{Array2, s};
use shared::data::{DataError, DataSet, Split, load};

use crate::{Network, accuracy, images_to_matrix, predict_all};

/// MNIST's 60,000 training images are split as Nielsen splits them: the
/// first 50,000 to learn from, the last 10,000 to choose with (which
/// epoch, which settings). The 10,000 test images judge the final choice,
/// once.
pub const TRAIN_SIZE: usize = 50_000;

/// A data set split into training, validation and test images.
#[derive(Clone, Debug, PartialEq)]
pub struct Mnist {
    /// Training pixels (784, 50000) in [0, 1].
    pub x: Array2<f32>,
    /// Training labels.
    pub labels: Vec<u8>,
    /// Validation pixels (784, 10000).
    pub x_val: Array2<f32>,
    /// Validation labels.
    pub labels_val: Vec<u8>,
    /// Test pixels (784, 10000).
    pub x_test: Array2<f32>,
    /// Test labels.
    pub labels_test: Vec<u8>,
}

impl Mnist {
    /// Loads `dataset` (fetching and verifying it on first use, with
    /// progress on stderr) and splits it.
    pub fn load(dataset: DataSet) -> Result<Mnist, DataError> {
        let (train, test) = load(dataset, &mut |line| eprintln!("{line}"))?;
        Ok(Mnist::split(&train, &test))
    }

    /// Splits the training set at [`TRAIN_SIZE`] (all of it is for
    /// training if it is smaller) and keeps the test set whole.
    pub fn split(train: &Split, test: &Split) -> Mnist {
        let all = images_to_matrix::<f32>(&train.images); // (784, 60000)
        let cut = TRAIN_SIZE.min(all.ncols());
        Mnist {
            x: all.slice(s![.., ..cut]).to_owned(),
            labels: train.labels[..cut].to_vec(),
            x_val: all.slice(s![.., cut..]).to_owned(),
            labels_val: train.labels[cut..].to_vec(),
            x_test: images_to_matrix::<f32>(&test.images),
            labels_test: test.labels.clone(),
        }
    }

    /// The first `n` training images, with the same validation and test
    /// images (for runs on fewer images).
    pub fn first(&self, n: usize) -> Mnist {
        let n = n.min(self.x.ncols());
        Mnist {
            x: self.x.slice(s![.., ..n]).to_owned(),
            labels: self.labels[..n].to_vec(),
            x_val: self.x_val.clone(),
            labels_val: self.labels_val.clone(),
            x_test: self.x_test.clone(),
            labels_test: self.labels_test.clone(),
        }
    }

    /// The same split with other inputs (e.g. preprocessed ones), each
    /// matrix with the same columns as before.
    pub fn with_inputs(
        &self,
        x: Array2<f32>,
        x_val: Array2<f32>,
        x_test: Array2<f32>,
    ) -> Mnist {
        assert_eq!(
            (x.ncols(), x_val.ncols(), x_test.ncols()),
            (self.x.ncols(), self.x_val.ncols(), self.x_test.ncols()),
            "the same images, other inputs"
        );
        Mnist {
            x,
            labels: self.labels.clone(),
            x_val,
            labels_val: self.labels_val.clone(),
            x_test,
            labels_test: self.labels_test.clone(),
        }
    }

    /// Test accuracy of `net`, in percent: the test set, used once.
    pub fn test(&self, net: &Network<f32>) -> f64 {
        100.0
            * accuracy(&predict_all(net, self.x_test.view()), &self.labels_test)
    }
}
