package io.cohort.node.netty;

import com.google.protobuf.CodedOutputStream;
import io.cohort.node.wire.DataFrame;
import java.io.IOException;

/** One frame waiting in a peer connection's queue: a generated {@link DataFrame}, or the hand-encoded {@link UserSend}. */
sealed interface Outbound permits Outbound.Generated, UserSend {

    /** The encoded frame's size, without the length prefix. */
    int serializedSize();

    void writeTo(CodedOutputStream out) throws IOException;

    record Generated(DataFrame frame) implements Outbound {
        @Override
        public int serializedSize() {
            return frame.getSerializedSize();
        }

        @Override
        public void writeTo(CodedOutputStream out) throws IOException {
            frame.writeTo(out);
        }
    }
}
