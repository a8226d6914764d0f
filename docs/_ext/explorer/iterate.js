// The explorer's iterations, in float32 as the course runs them in torch.
//
// Every operation is rounded to float32 (Math.fround) in the order torch computes it on the
// CPU: the gradient in the order autograd accumulates it, `add_(…, alpha=…)`, `lerp_` and
// `addcmul_` as fused multiply-adds (one rounding), so that a run here is the run that
// gdtutor.gradient_descent / gdtutor.optimize record, point for point. A product of two
// float32 numbers is exact in a double, so `f32(a * b + c)` rounds a fused multiply-add.
// The one step that cannot be copied exactly is Adam's square root: torch's CPU kernel is
// not always correctly rounded (it can be one unit in the last place off), so Adam's runs
// agree with torch's to float32 rounding rather than bit for bit.

const f32 = Math.fround;

// Value and gradient of each objective at one float32 point.
function parabola(x, y) {
  const value = f32(10 * f32(f32(x * x) + f32(y * y)));
  return [value, f32(10 * (2 * x)), f32(10 * (2 * y))];
}

// f = 10 (a x² + b x y + c y²), written as torch evaluates `10 * (a * x * x + b * x * y + c * y * y)`.
function skewed(x, y, [a, b, c]) {
  const ax = f32(a * x), bx = f32(b * x), cy = f32(c * y);
  const terms = f32(f32(f32(ax * x) + f32(bx * y)) + f32(cy * y));
  const value = f32(10 * terms);
  const tenX = f32(10 * x), tenY = f32(10 * y);
  const gx = f32(f32(f32(tenY * b) + f32(10 * ax)) + f32(tenX * a));
  const gy = f32(f32(f32(10 * cy) + f32(tenY * c)) + f32(10 * bx));
  return [value, gx, gy];
}

// Rosenbrock's banana (1 − x)² + 100 (y − x²)².
function rosenbrock(x, y) {
  const a = f32(1 - x);
  const c = f32(y - f32(x * x));
  const value = f32(f32(a * a) + f32(100 * f32(c * c)));
  const gc = f32(100 * (2 * c));
  return [value, f32(-2 * a + f32(-gc * (2 * x))), gc];
}

export const OBJECTIVES = { parabola, skewed, rosenbrock };
export const METHODS = ["gd", "momentum", "nesterov", "adam"];

// Per-method state and update of one coordinate pair, following torch.optim's single-tensor
// CPU code (torch/optim/sgd.py, torch/optim/adam.py) and gdtutor's hand-written step.
function stepper(method, { lr, momentum = 0, adam }) {
  const lr32 = f32(lr);
  if (method === "gd") {
    // x -= lr * x.grad
    return (x, g) => x.map((xi, i) => f32(xi - f32(lr32 * g[i])));
  }
  if (method === "momentum" || method === "nesterov") {
    const beta = f32(momentum);
    let buf = null;
    return (x, g) => {
      // First step: buf = g; then buf = β·buf + g.
      buf = buf === null ? g.slice() : buf.map((b, i) => f32(f32(b * beta) + g[i]));
      const update = method === "nesterov" ? g.map((gi, i) => f32(gi + beta * buf[i])) : buf;
      return x.map((xi, i) => f32(xi - lr32 * update[i]));
    };
  }
  if (method === "adam") {
    const [beta1, beta2] = adam.betas;
    const weight = f32(1 - beta1);
    const decay = f32(beta2);
    const rest = f32(1 - beta2);
    const eps = f32(adam.eps);
    const m = [0, 0];
    const v = [0, 0];
    let t = 0;
    return (x, g) => {
      t += 1;
      const stepSize = f32(-(lr / (1 - beta1 ** t)));
      const root = f32((1 - beta2 ** t) ** 0.5);
      return x.map((xi, i) => {
        m[i] = f32(m[i] + weight * f32(g[i] - m[i])); // exp_avg.lerp_(grad, 1 − β1)
        v[i] = f32(f32(v[i] * decay) + f32(rest * g[i]) * g[i]); // exp_avg_sq.mul_(β2).addcmul_(…)
        const denom = f32(f32(f32(Math.sqrt(v[i])) / root) + eps);
        return f32(xi + f32(f32(stepSize * m[i]) / denom));
      });
    };
  }
  throw new Error(`unknown method ${method}`);
}

/**
 * Run `steps` steps from `start` and record them as gdtutor.record.run_loop does: each
 * point with its value, both taken before the step; a run stops at the first value that is
 * not finite, without recording that step, and then ends at the point where that happened.
 */
export function run(objective, method, settings, constants) {
  const fn = OBJECTIVES[objective];
  if (!fn) throw new Error(`unknown objective ${objective}`);
  const coefficients = constants.skewed;
  const step = stepper(method, { ...settings, adam: constants.adam });
  let x = settings.start.map(f32);
  const points = [];
  const values = [];
  for (let i = 0; i < settings.steps; i++) {
    const [value, gx, gy] = fn(x[0], x[1], coefficients);
    if (!Number.isFinite(value)) {
      return { points, values, end: x, endValue: value, diverged: true, stoppedAt: i };
    }
    points.push(x);
    values.push(value);
    x = step(x, [gx, gy]);
  }
  const endValue = fn(x[0], x[1], coefficients)[0];
  return { points, values, end: x, endValue, diverged: false, stoppedAt: null };
}

/** Per-step factor of one eigen-direction (curvature λ) of a quadratic: the spectral
 * radius of the method's iteration matrix on that direction. */
export function rate(method, lr, momentum, lambda) {
  const shrink = 1 - lr * lambda;
  if (method === "gd") return Math.abs(shrink);
  // Characteristic polynomial z² − T z + D of the 2 × 2 iteration on (component, buffer).
  const [T, D] =
    method === "momentum"
      ? [1 + momentum - lr * lambda, momentum]
      : [(1 + momentum) * shrink, momentum * shrink];
  const disc = T * T - 4 * D;
  if (disc < 0) return Math.sqrt(D);
  const root = Math.sqrt(disc);
  return Math.max(Math.abs((T + root) / 2), Math.abs((T - root) / 2));
}
