import Foundation

// Foundation's libm functions under names that inlinable code in this module can reference.
@usableFromInline func Foundation_log(_ x: Double) -> Double { log(x) }
@usableFromInline func Foundation_cos(_ x: Double) -> Double { cos(x) }
