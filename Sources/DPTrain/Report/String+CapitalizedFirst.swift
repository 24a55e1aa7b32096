extension String {
    /// The string with its first character upper-cased ("test accuracy" → "Test accuracy").
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
