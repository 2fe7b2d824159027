"""passeur.ops: running syncs unattended and watching them (`passeur status`, `watch`,
`serve`): `status` builds the monitoring document from the store and the flow, `watch` the
polling loop whose schedule lives in the store."""
