import Foundation
import Hummingbird
import PusherProtocol

/// The Pusher HTTP API under `/apps/{id}`, as pusher-php-server (Laravel's `pusher` and
/// `reverb` broadcasters) and the other official server libraries call it:
///
/// - `POST events`: one event to 1–100 channels → `{}` (or `{"channels": …}` with `info`)
/// - `POST batch_events`: 1–10 events, each with one channel → `{"batch": [{…} per event]}`
/// - `GET channels[?filter_by_prefix=&info=user_count,subscription_count]` → `{"channels": {name: {…}}}`
/// - `GET channels/{name}[?info=…]` → `{"occupied": bool, …}`
/// - `GET channels/{name}/users` (presence channels) → `{"users": [{"id": "…"}]}`
///
/// Every request is signed (``PusherAPIRequest``); errors are the daemon's JSON bodies with
/// the statuses Pusher documents (400, 401, 404, 413).
struct PusherAPIRoutes: Sendable {
    let apps: PusherApps
    let limits: PusherAPILimits
    let publisher: any HubPublishing
    let directory: any HubDirectory
    let now: @Sendable () -> Date

    /// Creates the routes; `settings.maximumMessageBytes` bounds each event's data.
    init(apps: PusherApps, settings: HubSettings, publisher: any HubPublishing, directory: any HubDirectory,
         now: @escaping @Sendable () -> Date) {
        self.apps = apps
        self.limits = PusherAPILimits(maximumDataBytes: settings.maximumMessageBytes)
        self.publisher = publisher
        self.directory = directory
        self.now = now
    }

    /// Registers the routes on `group` (mounted at `/apps`).
    func add(to group: RouterGroup<CallRequestContext>) {
        group.post(":appID/events", use: trigger)
        group.post(":appID/batch_events", use: triggerBatch)
        group.get(":appID/channels", use: channels)
        group.get(":appID/channels/:channel", use: channel)
        group.get(":appID/channels/:channel/users", use: users)
    }

    @Sendable func trigger(_ request: Request, context: CallRequestContext) async throws -> Response {
        let verified = try await verify(request, context, bodyLimit: limits.eventsBodyBytes)
        let body = try PusherEventBody.decode(PusherEventBody.self, from: verified.body)
        let (events, info) = try body.events(app: verified.app, limits: limits)
        try await publisher.publish(events)
        guard info != ChannelAttributes() else { return JSONBody.response(EmptyAnswer()) }
        var answer = ChannelListAnswer(channels: [:])
        for event in events {
            let state = try await directory.channel(appID: verified.app.id, name: event.channel)
            answer.channels[event.channel] = info.values(state, isPresence: ChannelAttributes.isPresence(event.channel))
        }
        return JSONBody.response(answer)
    }

    @Sendable func triggerBatch(_ request: Request, context: CallRequestContext) async throws -> Response {
        let verified = try await verify(request, context, bodyLimit: limits.batchBodyBytes)
        let items = try PusherEventBody.decode(PusherEventBody.Batch.self, from: verified.body).batch ?? []
        guard !items.isEmpty else {
            throw APIError.validation("batch is required: an array of 1–\(PusherAPILimits.maximumBatchEvents) events.", status: .badRequest)
        }
        guard items.count <= PusherAPILimits.maximumBatchEvents else {
            throw APIError(.badRequest, reason: "batch_too_large",
                           "A batch may hold at most \(PusherAPILimits.maximumBatchEvents) events; got \(items.count): split it into several requests.")
        }
        let validated = try items.enumerated().map { try $0.element.events(app: verified.app, limits: limits, item: $0.offset) }
        try await publisher.publish(validated.flatMap(\.events))
        var answer = BatchAnswer(batch: [])
        for (events, info) in validated {
            guard info != ChannelAttributes(), let channel = events.first?.channel else {
                answer.batch.append(ChannelAttributeValues())
                continue
            }
            let state = try await directory.channel(appID: verified.app.id, name: channel)
            answer.batch.append(info.values(state, isPresence: ChannelAttributes.isPresence(channel)))
        }
        return JSONBody.response(answer)
    }

    @Sendable func channels(_ request: Request, context: CallRequestContext) async throws -> Response {
        let verified = try await verify(request, context)
        let query = request.uri.queryParameters
        let prefix = query["filter_by_prefix"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let info = try ChannelAttributes(info: query["info"].map(String.init))
        try info.requirePresence(prefix?.hasPrefix("presence-") == true, for: "a listing without filter_by_prefix=presence-")
        let found = try await directory.channels(appID: verified.app.id, prefix: prefix)
        var answer = ChannelListAnswer(channels: [:])
        for channel in found {
            answer.channels[channel.name] = info.values(channel, isPresence: ChannelAttributes.isPresence(channel.name))
        }
        return JSONBody.response(answer)
    }

    @Sendable func channel(_ request: Request, context: CallRequestContext) async throws -> Response {
        let verified = try await verify(request, context)
        let name = try channelName(context)
        let info = try ChannelAttributes(info: request.uri.queryParameters["info"].map(String.init))
        let isPresence = ChannelAttributes.isPresence(name)
        try info.requirePresence(isPresence, for: "channel \(name)")
        let state = try await directory.channel(appID: verified.app.id, name: name)
        let values = info.values(state, isPresence: isPresence)
        return JSONBody.response(ChannelStateAnswer(occupied: (state?.subscriptionCount ?? 0) > 0,
                                                    userCount: values.userCount, subscriptionCount: values.subscriptionCount))
    }

    @Sendable func users(_ request: Request, context: CallRequestContext) async throws -> Response {
        let verified = try await verify(request, context)
        let name = try channelName(context)
        guard ChannelAttributes.isPresence(name) else {
            throw APIError.validation("Users can only be listed for presence channels; \(name) is not one (its name must start with presence-).",
                                      status: .badRequest)
        }
        let ids = try await directory.users(appID: verified.app.id, channel: name)
        return JSONBody.response(UserListAnswer(users: ids.map { UserListAnswer.User(id: $0) }))
    }

    private func verify(_ request: Request, _ context: CallRequestContext, bodyLimit: Int = 4096) async throws -> PusherAPIRequest {
        try await PusherAPIRequest.verify(request, context: context, apps: apps, bodyLimit: bodyLimit, now: now())
    }

    /// The `{name}` path segment, percent-decoded and validated.
    private func channelName(_ context: CallRequestContext) throws -> String {
        let raw = context.parameters.get("channel") ?? ""
        let name = raw.removingPercentEncoding ?? raw
        guard PusherChannelName(name) != nil else {
            throw APIError.validation("\"\(name.prefix(48))\" is not a valid channel name: 1–\(PusherChannelName.maxLength) "
                                      + "characters of A-Z a-z 0-9 _ - = @ , . ;", status: .badRequest)
        }
        return name
    }
}
