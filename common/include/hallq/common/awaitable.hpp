#pragma once
// The completion token of every awaited Asio operation in HallQ: the error code comes back in
// a tuple with the result instead of being thrown, so each failure is handled where it happens.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hallq {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace hallq
