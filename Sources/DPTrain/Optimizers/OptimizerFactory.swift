/// Makes the optimizer `optimizer:` names, with its hyperparameters (torch.optim names).
public enum OptimizerFactory {
    public static func make(_ config: OptimizerConfig, parameterCount: Int) -> Optimizer {
        let weightDecay = Float(config.weightDecay), l1 = Float(config.l1), epsilon = Float(config.epsilon)
        switch config.name {
        case "adagrad":
            return AdaGrad(parameterCount: parameterCount, lrDecay: Float(config.lrDecay),
                           initialAccumulatorValue: Float(config.initialAccumulatorValue),
                           epsilon: epsilon, weightDecay: weightDecay, l1: l1)
        case "rmsprop":
            return RMSProp(parameterCount: parameterCount, alpha: Float(config.alpha), epsilon: epsilon,
                           weightDecay: weightDecay, momentum: Float(config.momentum), centered: config.centered, l1: l1)
        case "adam":
            return Adam(parameterCount: parameterCount, beta1: Float(config.beta1), beta2: Float(config.beta2),
                        epsilon: epsilon, weightDecay: weightDecay, amsgrad: config.amsgrad, l1: l1)
        case "adamw":
            return AdamW(parameterCount: parameterCount, beta1: Float(config.beta1), beta2: Float(config.beta2),
                         epsilon: epsilon, weightDecay: weightDecay, amsgrad: config.amsgrad, l1: l1)
        case "lars":
            return LARS(parameterCount: parameterCount, trustCoefficient: Float(config.trustCoefficient),
                        momentum: Float(config.momentum), weightDecay: weightDecay, epsilon: epsilon, l1: l1)
        case "lamb":
            return LAMB(parameterCount: parameterCount, beta1: Float(config.beta1), beta2: Float(config.beta2),
                        epsilon: epsilon, weightDecay: weightDecay, l1: l1)
        default:
            return SGD(parameterCount: parameterCount, momentum: Float(config.momentum), dampening: Float(config.dampening),
                       nesterov: config.nesterov, weightDecay: weightDecay, decoupledWeightDecay: config.decoupled, l1: l1)
        }
    }
}
