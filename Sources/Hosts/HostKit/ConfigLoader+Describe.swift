import PoolKernel

extension ConfigLoader {
    /// One sentence for an error: the message of a coded error, else its description.
    public static func describe(_ error: any Error) -> String {
        if let coded = error as? any CodedError { return coded.message }
        return String(describing: error)
    }
}
