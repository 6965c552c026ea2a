import CallctlConfig
import Foundation
import ICE

/// The servers of `probe ice --config FILE`: the `iceServers` list a web app hands to
/// `RTCPeerConnection`, either `{"iceServers": [...]}` or the bare array. Each entry has
/// `urls` (a string or a list) and, for TURN, optional `username` and `credential`; an entry
/// without them uses the shared credentials (`--secret`, `CALLCTL_TURN_SECRET`, ...).
struct IceServersFile {
    /// Largest file read: an ICE configuration is a few hundred bytes.
    static let maximumBytes = 1 << 20

    /// One server URI with the credentials its entry carried, if any.
    struct Entry {
        let uri: IceServerURI
        let login: TurnLogin?
    }

    /// The servers in file order.
    let entries: [Entry]

    /// Reads and checks the file; every problem is a usage error naming the file.
    init(path: String) throws(ProbeUsageError) {
        let data: Data
        switch SmallFile.read(path, limit: Self.maximumBytes) {
        case .unreadable: throw ProbeUsageError("--config \(path) is not a readable file")
        case .tooLarge: throw ProbeUsageError("--config \(path) is larger than \(Self.maximumBytes) bytes; an ICE server list is a few hundred")
        case .data(let contents): data = contents
        }
        try self.init(data: data, name: path)
    }

    /// Parses the JSON text; `name` appears in messages.
    init(data: Data, name: String) throws(ProbeUsageError) {
        let servers: [Server]
        do {
            if let wrapped = try? JSONDecoder().decode(Wrapped.self, from: data) {
                servers = wrapped.iceServers
            } else {
                servers = try JSONDecoder().decode([Server].self, from: data)
            }
        } catch {
            throw ProbeUsageError("\(name) is not an ICE server list: expected {\"iceServers\": [{\"urls\": ..., \"username\": ..., \"credential\": ...}]}")
        }
        var entries: [Entry] = []
        for (index, server) in servers.enumerated() {
            let login: TurnLogin?
            switch (server.username, server.credential) {
            case (nil, nil): login = nil
            case let (username?, credential?) where !username.isEmpty: login = TurnLogin(username: username, password: credential)
            default: throw ProbeUsageError("\(name): server \(index + 1) needs both username and credential, or neither")
            }
            for text in server.urls.list { entries.append(Entry(uri: try ProbeURI.parse(text), login: login)) }
        }
        guard !entries.isEmpty else { throw ProbeUsageError("\(name) lists no servers") }
        self.entries = entries
    }

    private struct Wrapped: Decodable {
        let iceServers: [Server]
    }

    private struct Server: Decodable {
        let urls: URLs
        let username: String?
        let credential: String?
    }

    /// `urls` is a string or a list of strings in RTCIceServer.
    private struct URLs: Decodable {
        let list: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                list = [one]
            } else {
                list = try container.decode([String].self)
            }
        }
    }
}
