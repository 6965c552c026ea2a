extension ChannelPattern {
    /// A channel name both patterns match, or nil when no name matches both: the proof that a
    /// rule set is ambiguous. Parameters in `ids` and `otherIds` take digits only (their
    /// canonical form is not considered, so two patterns that differ only there still overlap).
    ///
    /// Each pattern is read as a small automaton over Pusher's channel characters; a
    /// breadth-first walk of the pair finds the shortest common name.
    public func commonName(with other: ChannelPattern, ids: Set<String>, otherIds: Set<String>) -> String? {
        let left = Automaton(self, ids: ids)
        let right = Automaton(other, ids: otherIds)
        struct Pair: Hashable { let left: Int, right: Int }
        var parents: [Pair: (Pair, UInt8)] = [:]
        var queue = [Pair(left: 0, right: 0)]
        var seen: Set<Pair> = [queue[0]]
        var head = 0
        while head < queue.count {
            let pair = queue[head]
            head += 1
            if left.accepts(pair.left), right.accepts(pair.right) {
                var bytes: [UInt8] = []
                var cursor = pair
                while let (parent, byte) = parents[cursor] {
                    bytes.append(byte)
                    cursor = parent
                }
                return String(decoding: bytes.reversed(), as: UTF8.self)
            }
            for byte in Automaton.alphabet {
                for next in left.step(pair.left, byte) {
                    for otherNext in right.step(pair.right, byte) {
                        let successor = Pair(left: next, right: otherNext)
                        if seen.insert(successor).inserted {
                            parents[successor] = (pair, byte)
                            queue.append(successor)
                        }
                    }
                }
            }
        }
        return nil
    }
}

/// A pattern as a nondeterministic automaton: state `i` is "before element `i`".
private struct Automaton {
    /// Every character Pusher allows in a channel name.
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;".utf8)

    /// The characters one step may read.
    struct Characters {
        let excluded: Set<UInt8>
        let digitsOnly: Bool

        func contains(_ byte: UInt8) -> Bool {
            !excluded.contains(byte) && (!digitsOnly || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte))
        }
    }

    enum Element {
        case byte(UInt8)
        case one(Characters)
        case many(Characters)
    }

    let elements: [Element]

    init(_ pattern: ChannelPattern, ids: Set<String>) {
        var elements: [Element] = []
        for (index, part) in pattern.parts.enumerated() {
            switch part {
            case .literal(let text):
                elements += text.utf8.map(Element.byte)
            case .parameter(let name):
                var excluded: Set<UInt8> = [UInt8(ascii: ".")]
                if let stop = ChannelPattern.stop(after: index, in: pattern.parts)?.asciiValue { excluded.insert(stop) }
                let characters = Characters(excluded: excluded, digitsOnly: ids.contains(name))
                elements += [.one(characters), .many(characters)]
            case .rest:
                let characters = Characters(excluded: [], digitsOnly: false)
                elements += [.one(characters), .many(characters)]
            }
        }
        self.elements = elements
    }

    /// `state` and the states reachable from it without reading (past optional repetitions).
    func closure(_ state: Int) -> [Int] {
        var states = [state]
        var cursor = state
        while cursor < elements.count, case .many = elements[cursor] {
            cursor += 1
            states.append(cursor)
        }
        return states
    }

    func accepts(_ state: Int) -> Bool { closure(state).last == elements.count }

    func step(_ state: Int, _ byte: UInt8) -> [Int] {
        closure(state).compactMap { current -> Int? in
            guard current < elements.count else { return nil }
            switch elements[current] {
            case .byte(let expected): return expected == byte ? current + 1 : nil
            case .one(let characters): return characters.contains(byte) ? current + 1 : nil
            case .many(let characters): return characters.contains(byte) ? current : nil
            }
        }
    }
}
