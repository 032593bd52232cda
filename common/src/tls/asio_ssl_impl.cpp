// Asio's SSL part compiled once (BOOST_ASIO_SEPARATE_COMPILATION), for hallq_tls users only.
#include <boost/asio/ssl/impl/src.hpp>
