import CallDomain
import CallStore
import Logging
import PusherProtocol

/// `pusher:subscribe` and `pusher:unsubscribe` for one connection: name and signature checks,
/// the shared subscription record, presence membership and its announcements.
struct PusherSubscription {
    let hub: Hub
    let connection: HubConnection
    let logger: Logger

    func subscribe(_ data: PusherJSON) async {
        guard let channel = data["channel"]?.stringValue, let name = PusherChannelName(channel) else {
            refuse("pusher:subscribe needs a channel name of 1–\(PusherChannelName.maxLength) characters from A-Z a-z 0-9 _ - = @ , . ;",
                   code: nil)
            return
        }
        guard connection.admitSubscription(perSecond: hub.settings.subscriptionsPerSecond) else {
            connection.send(PusherMessage.error(message: "Too many subscriptions: at most \(hub.settings.subscriptionsPerSecond) "
                                                + "a second per connection; retry \(channel.prefix(164)) in a second.",
                                                code: PusherErrorCode.clientEventRateLimited.rawValue).encoded())
            return
        }
        guard connection.member(of: channel) != nil || connection.channelCount < hub.settings.channelsPerConnection else {
            logger.info("subscription refused", metadata: ["channel": "\(channel)", "reason": "channel_limit"])
            connection.send(PusherMessage(event: "pusher:subscription_error", channel: channel, data: .object([
                "type": .string("LimitReached"), "status": .integer(403),
                "error": .string("This connection is subscribed to \(hub.settings.channelsPerConnection) channels, the most one "
                                 + "connection may hold; unsubscribe from one first."),
            ])).encoded())
            return
        }
        if !name.kind.requiresAuth {
            let verdict = await hub.channelRules.current().publicVerdict(channel)
            guard verdict.allowsSubscription else {
                logger.info("subscription refused", metadata: ["channel": "\(channel)", "reason": "private_data"])
                connection.send(PusherMessage(event: "pusher:subscription_error", channel: channel, data: .object([
                    "type": .string("AuthError"), "status": .integer(403), "error": .string(verdict.detail(for: channel)),
                ])).encoded())
                return
            }
        }
        var member: PresenceRow?
        if name.kind.requiresAuth {
            let channelData = data["channel_data"]?.stringValue
            guard let auth = data["auth"]?.stringValue,
                  ChannelAuthSignature.verifyChannel(auth: auth, app: connection.app, socketID: connection.socketID.rawValue,
                                                     channel: channel, channelData: name.kind == .presence ? channelData : nil) else {
                logger.info("subscription refused", metadata: ["channel": "\(channel)", "reason": "invalid_signature"])
                refuse("Invalid signature for \(channel): get auth from /broadcasting/auth for this socket id; a signature that "
                       + "never verifies means the app and the WebSocket server use different secrets.",
                       code: PusherErrorCode.connectionUnauthorized.rawValue)
                return
            }
            if name.kind == .presence {
                guard let channelData, let presence = PresenceMember(channelData: channelData) else {
                    refuse("channel_data for \(channel) must be JSON with a user_id.", code: nil)
                    return
                }
                member = PresenceRow(userID: presence.userID, userInfo: presence.userInfo?.jsonString)
            }
        }
        connection.beginSubscription(channel)
        hub.attach(connection, to: channel)
        let outcome: SubscribeOutcome
        // The rules a presence subscription was decided by: they say whether it is an edit lock.
        var rules: ChannelRuleSet?
        if member == nil {
            // Without members nothing waits for the row: it goes with the next batch.
            guard hub.subscriptions.enqueue(.subscribe(socket: connection.socketID.rawValue, appID: connection.app.id,
                                                       channel: channel)) else {
                abandon(channel)
                refuse("The server is recording too many subscriptions right now; retry in a few seconds.", code: nil)
                return
            }
            outcome = .subscribed(members: [], isNewMember: false)
        } else {
            connection.beginPresence()
            let current = await hub.channelRules.current()
            rules = current
            do {
            outcome = try await hub.pool.withConnection { [hub, daemon = hub.daemonID, socket = connection.socketID.rawValue,
                                                           app = connection.app.id, limit = hub.settings.presenceMemberLimit, member] in
                try hub.store(on: $0, rules: current).subscribe(daemon: daemon, socket: socket, appID: app, channel: channel,
                                                               member: member, limit: limit)
            }
            } catch {
                abandon(channel)
                logger.error("subscription not recorded", metadata: ["channel": "\(channel)", "error": "\(error)"])
                refuse("The server cannot record subscriptions right now; retry in a few seconds.", code: nil)
                return
            }
        }
        switch outcome {
        case .full(let limit):
            abandon(channel)
            connection.send(PusherMessage(event: "pusher:subscription_error", channel: channel, data: .object([
                "type": .string("LimitReached"), "status": .integer(403),
                "error": .string("\(channel) already has \(limit) members, the presence limit."),
            ])).encoded())
        case .locked(let holder, let at):
            abandon(channel)
            logger.info("subscription refused", metadata: ["channel": "\(channel)", "reason": "lock_held", "holder": "\(holder.userID)"])
            connection.send(EditLock.refusal(channel: channel, holder: holder))
            if let member {
                await publish(EditLock.contended(appID: connection.app.id, channel: channel, holder: holder.userID, by: member.userID,
                                                 outcome: .refused, at: at))
            }
        case .subscribed(let members, let isNewMember):
            _ = connection.subscribe(channel, userID: member?.userID)
            if let member {
                let list = members.map { PresenceMember(userID: $0.userID, userInfo: $0.userInfo.flatMap { PusherJSON(parsing: Array($0.utf8)) }) }
                connection.completeSubscription(channel, with: PusherMessage.subscriptionSucceeded(channel: channel, members: list).encoded(),
                                                members: Set(members.map(\.userID)))
                if isNewMember { await announceArrival(of: member, in: channel) }
                if rules?.lockMode(channel) != nil, let holder = members.first {
                    await announceLock(held: holder, joined: members.first { $0.userID == member.userID }, isNewMember: isNewMember, in: channel)
                }
            } else {
                connection.completeSubscription(channel, with: PusherMessage.subscriptionSucceeded(channel: channel).encoded(), members: nil)
            }
        }
    }

    func unsubscribe(_ data: PusherJSON) async {
        guard let channel = data["channel"]?.stringValue else { return }
        let member = connection.member(of: channel)
        guard connection.unsubscribe(channel) else { return }
        hub.detach(connection, from: channel)
        guard member?.isEmpty == false else {
            hub.subscriptions.enqueue(.unsubscribe(socket: connection.socketID.rawValue, appID: connection.app.id, channel: channel))
            return
        }
        let rules = await hub.channelRules.current()
        do {
            let departures = try await hub.pool.withConnection { [hub, daemon = hub.daemonID, socket = connection.socketID.rawValue,
                                                                  app = connection.app.id] in
                try hub.store(on: $0, rules: rules).unsubscribe(daemon: daemon, socket: socket, appID: app, channel: channel)
            }
            await hub.announce(departures, reason: .left)
        } catch {
            logger.error("unsubscription not recorded", metadata: ["channel": "\(channel)", "error": "\(error)"])
        }
    }

    private func announceArrival(of member: PresenceRow, in channel: String) async {
        var data: [String: PusherJSON] = ["user_id": .string(member.userID)]
        if let info = member.userInfo.flatMap({ PusherJSON(parsing: Array($0.utf8)) }) { data["user_info"] = info }
        let event = HubEvent(appID: connection.app.id, channel: channel, event: "pusher_internal:member_added",
                             data: PusherJSON.object(data).jsonString, excludedSocket: connection.socketID.rawValue)
        do {
            try await hub.publish([event])
        } catch {
            logger.warning("member_added not fanned out", metadata: ["channel": "\(channel)", "error": "\(error)"])
        }
    }

    /// After a subscription to an edit lock: tells the socket who holds the lock (`LockHeld`),
    /// and, when its user is new to the channel, tells everyone that it took the lock or, when
    /// another holds it, that it tried (`LockAcquired` or `LockContended`, watching).
    private func announceLock(held holder: PresenceRow, joined: PresenceRow?, isNewMember: Bool, in channel: String) async {
        connection.send(EditLock.held(appID: connection.app.id, channel: channel, holder: holder))
        guard isNewMember, let joined, let at = joined.joinedAt else { return }
        let app = connection.app.id
        await publish(joined.userID == holder.userID
                      ? EditLock.acquired(appID: app, channel: channel, holder: holder.userID, at: at)
                      : EditLock.contended(appID: app, channel: channel, holder: holder.userID, by: joined.userID, outcome: .watching, at: at))
    }

    /// Sends an edit-lock event to the channel's subscribers on every daemon.
    private func publish(_ event: HubEvent) async {
        do {
            try await hub.publish([event])
        } catch {
            logger.warning("edit lock event not fanned out", metadata: ["channel": "\(event.channel)", "event": "\(event.event)", "error": "\(error)"])
        }
    }

    private func abandon(_ channel: String) {
        connection.abandonSubscription(channel)
        if connection.member(of: channel) == nil { hub.detach(connection, from: channel) }
    }

    private func refuse(_ message: String, code: Int?) {
        connection.send(PusherMessage.error(message: message, code: code).encoded())
    }
}
