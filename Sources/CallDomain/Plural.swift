/// `3 appointments`, `1 appointment`: a count and its noun, for sentences people read.
public func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
