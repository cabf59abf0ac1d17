import PoolKernel

// vspblocks: the hook the vspd front's wiring calls (the front owns its configuration).
extension VspBlockHandler {
    /// The block handler for the web app's vspd front, over the `vspnode` and `vspwallet` plugins' results. Call
    /// it after `node.connect()` and `wallets.connect()`, and add the handler to the web app's background services
    /// (`WebApp.assemble`'s `background`); it logs under `DCRS` and exports `vsp_*` series on the app's metrics.
    public static func forWebApp(storage: any StorageBackend, node: ConnectableBackend<any VspNodeBackend>,
                                 wallets: VspWalletSet, params: NetParams, metrics: MetricsRegistry,
                                 logs: LogBackend) -> VspBlockHandler {
        VspBlockHandler(storage: storage, node: node.backend, wallets: wallets.wallets, walletLabels: wallets.labels,
                        tickets: params.tickets, metrics: metrics, logger: logs.logger("DCRS"))
    }
}
