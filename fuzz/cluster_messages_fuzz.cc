// The cluster's messages (daemon/cluster/commit_codec.h, batch_codec.h, op_codec.h): every node
// decodes what other nodes logged, so a broken or hostile message must be refused, never crash a
// node or decode to something its re-encoding does not say. The input goes to all three decoders.
//
// Invariants on every input:
//   - a refusal is kDataLoss (the one code the codecs promise for a message they cannot read);
//   - what decodes re-encodes to valid UTF-8 that decodes again, and **the round trip is a fixed
//     point**: encoding the second decoding gives the same text as encoding the first (equal
//     encodings stand for equal values where a struct has no operator==), and a state op
//     decodes to an equal op.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "daemon/cluster/batch_codec.h"
#include "daemon/cluster/commit_codec.h"
#include "daemon/cluster/op_codec.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace earshot;

template <class T, class Encode, class Decode>
void CheckRoundTrip(std::string_view input, Encode encode, Decode decode) {
  Result<T> first = decode(input);
  if (!first.ok()) {
    FUZZ_CHECK(first.status().code() == Status::Code::kDataLoss, "a refusal is kDataLoss");
    return;
  }
  const std::string json = encode(*first);
  FUZZ_CHECK(fuzz::IsValidUtf8(json), "an encoding is valid UTF-8");
  Result<T> second = decode(json);
  FUZZ_CHECK(second.ok(), "what an encoder wrote decodes");
  FUZZ_CHECK(encode(*second) == json, "the round trip is a fixed point");
  if constexpr (std::is_same_v<T, cluster::StateOp>) {
    FUZZ_CHECK(*second == *first, "an op reads back equal");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip<EscalatorCommit>(input, &cluster::EncodeCommit, &cluster::DecodeCommit);
  CheckRoundTrip<cluster::BatchEnvelope>(input, &cluster::EncodeBatch, &cluster::DecodeBatch);
  CheckRoundTrip<cluster::StateOp>(input, &cluster::EncodeOp, &cluster::DecodeOp);
  return 0;
}
