import Foundation
import Hummingbird

/// The broker's HTTP side under its path: `GET {path}` describes it (the stock server's
/// health answer); `GET {path}/{key}/id` and `{path}/{key}/peers` are refused, because callctl
/// issues peer ids itself (`POST /appointments/{id}/call/peer`) and lists no peers.
struct BrokerRoutes: Sendable {
    func add(to group: RouterGroup<CallRequestContext>) {
        group.get { _, _ in
            JSONBody.response(["name": "callctl PeerJS broker",
                               "description": "A PeerServer bound to calls: peer ids and tokens come from POST /appointments/{id}/call/peer.",
                               "website": "https://peerjs.com/"])
        }
        group.get(":key/id") { _, _ -> Response in
            throw APIError(.forbidden, reason: "peer_id_issued_by_callctl",
                           "callctl issues peer ids: ask POST /appointments/{id}/call/peer with the call's id, then open new Peer(peerId, {token}).")
        }
        group.get(":key/peers") { _, _ -> Response in
            throw APIError(.forbidden, reason: "discovery_disabled", "Peer discovery is off: a peer signals only to the other participant of its call.")
        }
    }
}
