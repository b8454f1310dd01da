//! Random expression trees: a proptest strategy for *functions*.
//!
//! An AD engine is only as good as its composition of rules. [`Expr`] trees
//! mix unary functions and binary operations over a few inputs; evaluate one
//! generically ([`Expr::eval`]) on your engine's number type and on `f64`,
//! and compare the derivatives with finite differences.
//!
//! Every operation of [`Unary`] and [`Binary`] keeps values well-scaled
//! (bounded functions, products of bounded values, denominators at least
//! 1), so finite-difference references stay accurate for any tree the
//! strategy builds.
//!
//! ## Trees of any depth
//!
//! [`Expr`] is [`Tree<Unary, Binary>`]; a test with its own operations
//! (say every `Float` function) uses [`Tree`] with its own operator types
//! and evaluates with [`Tree::fold`]. Every walk over a tree — [`Tree::fold`]
//! (hence [`Expr::eval`]), `Clone`, `PartialEq`, `Display`, `Debug` and
//! `Drop` — runs on an explicit heap stack, never on the call stack, so a
//! tree 10⁶ levels deep is evaluated, printed, compared and dropped like a
//! small one. The strategy [`expr`] builds trees at most `depth` levels deep
//! and shrinks them within that bound.

use std::collections::BTreeSet;
use std::fmt;

use num_traits::Float;
use proptest::prelude::*;

/// A unary operation of an expression tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    /// `sin a`
    Sin,
    /// `cos a`
    Cos,
    /// `tanh a`
    Tanh,
    /// `atan a`
    Atan,
    /// `1/(1 + e^{−a})`
    Sigmoid,
    /// `ln(1 + e^{sin a})`
    SoftplusOfSin,
    /// `e^{sin a}`
    ExpOfSin,
    /// `√(a² + 1)`
    SqrtOnePlusSquare,
    /// `2 tanh² a`
    TanhSquared,
    /// `−a`
    Neg,
}

/// A binary operation of an expression tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    /// `l + r`
    Add,
    /// `l − r`
    Sub,
    /// `tanh(l) · r`
    MulTanh,
    /// `l / (r² + 1)`
    DivOnePlusSquare,
    /// `√(l² + (r + ½)²)`
    Hypot,
}

impl Unary {
    /// The name printed by `Display` (`sin`, `softplus_of_sin`, …).
    pub fn name(self) -> &'static str {
        match self {
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tanh => "tanh",
            Unary::Atan => "atan",
            Unary::Sigmoid => "sigmoid",
            Unary::SoftplusOfSin => "softplus_of_sin",
            Unary::ExpOfSin => "exp_of_sin",
            Unary::SqrtOnePlusSquare => "sqrt_one_plus_square",
            Unary::TanhSquared => "tanh_squared",
            Unary::Neg => "neg",
        }
    }
}

impl Binary {
    /// The name printed by `Display` (`add`, `mul_tanh`, …).
    pub fn name(self) -> &'static str {
        match self {
            Binary::Add => "add",
            Binary::Sub => "sub",
            Binary::MulTanh => "mul_tanh",
            Binary::DivOnePlusSquare => "div_one_plus_square",
            Binary::Hypot => "hypot_shifted",
        }
    }
}

impl fmt::Display for Unary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An expression tree over inputs `x₀ … x_{n−1}`, with unary operations
/// of type `U` and binary operations of type `B`.
///
/// Printed (`Display` and `Debug` alike) in function notation,
/// `op(arg)` and `op(left, right)`, with inputs as `x0`, `x1`, … and
/// constants in Rust's shortest round-trip form, so a failing case can be
/// pasted back as code.
pub enum Tree<U, B> {
    /// The input `xᵢ`.
    Input(usize),
    /// A constant.
    Const(f64),
    /// A unary operation.
    Unary(U, Box<Tree<U, B>>),
    /// A binary operation.
    Binary(B, Box<Tree<U, B>>, Box<Tree<U, B>>),
}

/// The expression trees of the strategy [`expr`]: well-scaled operations.
pub type Expr = Tree<Unary, Binary>;

/// One node of a tree as [`Tree::fold`] presents it: its operation and the
/// already folded values of its children.
#[derive(Debug)]
pub enum Node<'a, U, B, S> {
    /// The input `xᵢ`.
    Input(usize),
    /// A constant.
    Const(f64),
    /// A unary operation applied to the folded child.
    Unary(&'a U, S),
    /// A binary operation applied to the folded children (left, right).
    Binary(&'a B, S, S),
}

/// A pending step of an iterative post-order walk.
enum Step<'a, U, B> {
    Visit(&'a Tree<U, B>),
    Unary(&'a U),
    Binary(&'a B),
}

impl<U, B> Tree<U, B> {
    /// Folds the tree bottom-up: `node` is called once per node, children
    /// before parents and left before right (the order a recursive
    /// evaluation would take), with the children's results.
    ///
    /// Runs on a heap stack: the depth of the tree is bounded by memory,
    /// not by the thread's stack.
    pub fn fold<S>(&self, mut node: impl FnMut(Node<'_, U, B, S>) -> S) -> S {
        let mut steps = vec![Step::Visit(self)];
        let mut values: Vec<S> = Vec::new();
        let pop = |values: &mut Vec<S>| values.pop().expect("fold: child value on the stack");
        while let Some(step) = steps.pop() {
            match step {
                Step::Visit(Tree::Input(i)) => values.push(node(Node::Input(*i))),
                Step::Visit(Tree::Const(c)) => values.push(node(Node::Const(*c))),
                Step::Visit(Tree::Unary(u, a)) => {
                    steps.push(Step::Unary(u));
                    steps.push(Step::Visit(a));
                }
                Step::Visit(Tree::Binary(b, l, r)) => {
                    steps.push(Step::Binary(b));
                    steps.push(Step::Visit(r));
                    steps.push(Step::Visit(l));
                }
                Step::Unary(u) => {
                    let a = pop(&mut values);
                    values.push(node(Node::Unary(u, a)));
                }
                Step::Binary(b) => {
                    let r = pop(&mut values);
                    let l = pop(&mut values);
                    values.push(node(Node::Binary(b, l, r)));
                }
            }
        }
        pop(&mut values)
    }

    /// The number of levels: 1 for a leaf, `1 + max(children)` otherwise.
    pub fn depth(&self) -> usize {
        self.fold(|n: Node<'_, U, B, usize>| match n {
            Node::Input(_) | Node::Const(_) => 1,
            Node::Unary(_, a) => a + 1,
            Node::Binary(_, l, r) => l.max(r) + 1,
        })
    }

    /// The number of nodes.
    pub fn size(&self) -> usize {
        self.fold(|n: Node<'_, U, B, usize>| match n {
            Node::Input(_) | Node::Const(_) => 1,
            Node::Unary(_, a) => a + 1,
            Node::Binary(_, l, r) => l + r + 1,
        })
    }

    /// The largest input index used, plus one (0 for a constant tree): the
    /// least number of inputs [`Expr::eval`] needs.
    pub fn inputs(&self) -> usize {
        self.fold(|n: Node<'_, U, B, usize>| match n {
            Node::Input(i) => i + 1,
            Node::Const(_) => 0,
            Node::Unary(_, a) => a,
            Node::Binary(_, l, r) => l.max(r),
        })
    }
}

impl Expr {
    /// Evaluates the expression on any `Float` (`f64`, a tape variable, a
    /// dual number); see [`Unary`] and [`Binary`] for the formulas.
    ///
    /// # Panics
    /// If the tree uses an input `xᵢ` with `i ≥ x.len()` (check with
    /// [`Tree::inputs`]).
    pub fn eval<S: Float>(&self, x: &[S]) -> S {
        let c = |v: f64| S::from(v).expect("constant representable");
        self.fold(|node: Node<'_, Unary, Binary, S>| match node {
            Node::Input(i) => x[i],
            Node::Const(v) => c(v),
            Node::Unary(u, a) => match u {
                Unary::Sin => a.sin(),
                Unary::Cos => a.cos(),
                Unary::Tanh => a.tanh(),
                Unary::Atan => a.atan(),
                Unary::Sigmoid => (S::one() + (-a).exp()).recip(),
                Unary::SoftplusOfSin => a.sin().exp().ln_1p(),
                Unary::ExpOfSin => a.sin().exp(),
                Unary::SqrtOnePlusSquare => (a * a + S::one()).sqrt(),
                Unary::TanhSquared => a.tanh().powi(2) * c(2.0),
                Unary::Neg => -a,
            },
            Node::Binary(b, l, r) => match b {
                Binary::Add => l + r,
                Binary::Sub => l - r,
                Binary::MulTanh => l.tanh() * r,
                Binary::DivOnePlusSquare => l / (r * r + S::one()),
                Binary::Hypot => l.hypot(r + c(0.5)),
            },
        })
    }
}

impl Expr {
    /// The structural Hessian pattern of the expression, worked out on the
    /// tree itself: every pair `(i, j)` (both orders) for which some
    /// operation is nonlinear in quantities depending on `xᵢ` and `xⱼ`.
    /// An independent route to check a tape's sparsity analysis against.
    ///
    /// With `D(a)` the inputs a subtree depends on: `−a`, `l + r` and
    /// `l − r` add nothing; every other unary adds `D(a) × D(a)`;
    /// `tanh(l)·r` adds `D(l) × D(l)` (the tanh) and `D(l) × D(r)` (the
    /// product); `l/(r² + 1)` and `√(l² + (r + ½)²)` add
    /// `(D(l) ∪ D(r))²`.
    ///
    /// ```
    /// use saddle_check::expr::{Binary, Expr, Unary};
    /// // tanh(x₀)·sin(x₁): x₀ with itself and with x₁, x₁ with itself.
    /// let e = Expr::Binary(
    ///     Binary::MulTanh,
    ///     Box::new(Expr::Input(0)),
    ///     Box::new(Expr::Unary(Unary::Sin, Box::new(Expr::Input(1)))),
    /// );
    /// let pairs: Vec<_> = e.structural_hessian().into_iter().collect();
    /// assert_eq!(pairs, [(0, 0), (0, 1), (1, 0), (1, 1)]);
    /// ```
    pub fn structural_hessian(&self) -> BTreeSet<(usize, usize)> {
        fn cross(a: &BTreeSet<usize>, b: &BTreeSet<usize>, pairs: &mut BTreeSet<(usize, usize)>) {
            for &i in a {
                for &j in b {
                    pairs.insert((i, j));
                    pairs.insert((j, i));
                }
            }
        }
        let mut pairs = BTreeSet::new();
        self.fold(
            |node: Node<'_, Unary, Binary, BTreeSet<usize>>| match node {
                Node::Input(i) => BTreeSet::from([i]),
                Node::Const(_) => BTreeSet::new(),
                Node::Unary(u, d) => {
                    if *u != Unary::Neg {
                        cross(&d, &d, &mut pairs);
                    }
                    d
                }
                Node::Binary(b, dl, dr) => {
                    let all: BTreeSet<usize> = dl.union(&dr).copied().collect();
                    match b {
                        Binary::Add | Binary::Sub => {}
                        Binary::MulTanh => {
                            cross(&dl, &dl, &mut pairs);
                            cross(&dl, &dr, &mut pairs);
                        }
                        Binary::DivOnePlusSquare | Binary::Hypot => cross(&all, &all, &mut pairs),
                    }
                    all
                }
            },
        );
        pairs
    }
}

impl<U: Clone, B: Clone> Clone for Tree<U, B> {
    fn clone(&self) -> Self {
        self.fold(|node| match node {
            Node::Input(i) => Tree::Input(i),
            Node::Const(c) => Tree::Const(c),
            Node::Unary(u, a) => Tree::Unary(u.clone(), Box::new(a)),
            Node::Binary(b, l, r) => Tree::Binary(b.clone(), Box::new(l), Box::new(r)),
        })
    }
}

impl<U: PartialEq, B: PartialEq> PartialEq for Tree<U, B> {
    /// Structural equality; constants compare as `f64` (so a tree holding a
    /// NaN constant is not equal to itself).
    fn eq(&self, other: &Self) -> bool {
        let mut pairs = vec![(self, other)];
        while let Some(pair) = pairs.pop() {
            match pair {
                (Tree::Input(i), Tree::Input(j)) if i == j => {}
                (Tree::Const(a), Tree::Const(b)) if a == b => {}
                (Tree::Unary(u, a), Tree::Unary(v, b)) if u == v => pairs.push((a, b)),
                (Tree::Binary(p, a, b), Tree::Binary(q, c, d)) if p == q => {
                    pairs.push((a, c));
                    pairs.push((b, d));
                }
                _ => return false,
            }
        }
        true
    }
}

/// A pending piece of output of the iterative printer.
enum Print<'a, U, B> {
    Visit(&'a Tree<U, B>),
    Text(&'static str),
}

impl<U: fmt::Display, B: fmt::Display> fmt::Display for Tree<U, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut pending = vec![Print::Visit(self)];
        while let Some(piece) = pending.pop() {
            match piece {
                Print::Text(s) => f.write_str(s)?,
                Print::Visit(Tree::Input(i)) => write!(f, "x{i}")?,
                Print::Visit(Tree::Const(c)) => write!(f, "{c:?}")?,
                Print::Visit(Tree::Unary(u, a)) => {
                    write!(f, "{u}(")?;
                    pending.push(Print::Text(")"));
                    pending.push(Print::Visit(a));
                }
                Print::Visit(Tree::Binary(b, l, r)) => {
                    write!(f, "{b}(")?;
                    pending.push(Print::Text(")"));
                    pending.push(Print::Visit(r));
                    pending.push(Print::Text(", "));
                    pending.push(Print::Visit(l));
                }
            }
        }
        Ok(())
    }
}

impl<U: fmt::Display, B: fmt::Display> fmt::Debug for Tree<U, B> {
    /// The same function notation as `Display`: proptest prints a failing
    /// input with `Debug`, and a formula reads better than nested variants.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<U, B> Drop for Tree<U, B> {
    /// Detaches the children onto a heap stack before they are dropped, so
    /// dropping never recurses more than one level (the default drop of a
    /// deep `Box` chain overflows the stack).
    fn drop(&mut self) {
        let mut detached: Vec<Box<Tree<U, B>>> = Vec::new();
        take_children(self, &mut detached);
        while let Some(mut child) = detached.pop() {
            take_children(&mut child, &mut detached);
            // `child` is now a leaf or has leaf children: dropping it
            // recurses at most one level.
        }
    }
}

/// Moves the inner-node children of `tree` onto `out`, leaving leaves in
/// their place (leaf children stay: dropping them cannot recurse).
fn take_children<U, B>(tree: &mut Tree<U, B>, out: &mut Vec<Box<Tree<U, B>>>) {
    let mut detach = |child: &mut Box<Tree<U, B>>| {
        if !matches!(**child, Tree::Input(_) | Tree::Const(_)) {
            out.push(std::mem::replace(child, Box::new(Tree::Const(0.0))));
        }
    };
    match tree {
        Tree::Input(_) | Tree::Const(_) => {}
        Tree::Unary(_, a) => detach(a),
        Tree::Binary(_, l, r) => {
            detach(l);
            detach(r);
        }
    }
}

/// Expression trees over `inputs` inputs, up to `depth` levels deep.
///
/// Constants are uniform in `[−2, 2]`. Trees are built and shrunk by
/// proptest's `prop_recursive`, whose recursion is bounded by `depth`.
///
/// With `inputs = 0` every leaf is a constant.
pub fn expr(inputs: usize, depth: u32) -> impl Strategy<Value = Expr> {
    // `0..0` is an empty range, which proptest cannot sample: with no
    // inputs, draw constants only.
    let input = (0..inputs.max(1)).prop_map(move |i| {
        if inputs == 0 {
            Expr::Const(0.5)
        } else {
            Expr::Input(i)
        }
    });
    let leaf = prop_oneof![input, (-2.0..2.0).prop_map(Expr::Const)];
    let unary = prop_oneof![
        Just(Unary::Sin),
        Just(Unary::Cos),
        Just(Unary::Tanh),
        Just(Unary::Atan),
        Just(Unary::Sigmoid),
        Just(Unary::SoftplusOfSin),
        Just(Unary::ExpOfSin),
        Just(Unary::SqrtOnePlusSquare),
        Just(Unary::TanhSquared),
        Just(Unary::Neg),
    ];
    let binary = prop_oneof![
        Just(Binary::Add),
        Just(Binary::Sub),
        Just(Binary::MulTanh),
        Just(Binary::DivOnePlusSquare),
        Just(Binary::Hypot),
    ];
    leaf.prop_recursive(depth, 8 * depth, 2, move |inner| {
        prop_oneof![
            (unary.clone(), inner.clone()).prop_map(|(u, a)| Expr::Unary(u, Box::new(a))),
            (binary.clone(), inner.clone(), inner).prop_map(|(b, l, r)| Expr::Binary(
                b,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}
